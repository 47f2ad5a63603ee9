// Runs a reconcile pass after changes, folding bursts of store events into one pass, never two
// passes at once, and always one more pass after a change that arrived while a pass ran (the
// informer work-queue pattern, with a single key).
//
// Two things keep it from eating the daemon at scale, where one pass over 1,000 pods costs tens of
// milliseconds and pod status changes arrive every millisecond while a lab comes up:
// - the next pass waits at least as long as the last one took, so under a steady stream of changes
//   the controller takes at most about half of the daemon's time, never all of it;
// - hold(): while a bulk change runs (the lab creating hundreds of pods), passes wait for its end
//   and then one pass sees the whole result, instead of one pass per pod (O(pods²) work).
export class Coalescer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;
  private holds = 0;
  /** Set synchronously when a pass starts (before `running` is assigned), so a schedule() from inside the pass cannot start a second one. */
  private busy = false;
  private lastPassMs = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly pass: () => Promise<void>, private readonly onError: (err: Error) => void, private readonly delayMs = 5) {}

  /** Marks the state changed; a pass follows within delayMs (or right after the running one). */
  schedule(): void {
    this.dirty = true;
    this.kick();
  }

  /** Defers passes until the returned release is called (holds nest); changes meanwhile are kept. */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.kick();
    };
  }

  private kick(): void {
    if (this.timer || this.running || this.busy || this.stopped || !this.dirty || this.holds > 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A change can arrive after the pass's start but before `running` clears: kick again.
      this.running = this.runPass().finally(() => {
        this.running = undefined;
        this.kick();
      });
    }, Math.max(this.delayMs, this.lastPassMs));
  }

  /** Resolves once a pass that started after this call has finished. */
  flush(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.schedule();
    return done;
  }

  /** Call at the end of a pass whose own writes re-triggered schedule(): they need no second pass. */
  settle(): void {
    this.dirty = false;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const w of this.waiters.splice(0)) w();
  }

  private async runPass(): Promise<void> {
    if (this.stopped || !this.dirty) return;
    this.busy = true;
    this.dirty = false;
    const waiters = this.waiters.splice(0);
    const started = Date.now();
    try {
      await this.pass();
    } catch (err) {
      this.onError(err as Error);
    }
    this.lastPassMs = Date.now() - started;
    this.busy = false;
    for (const w of waiters) w();
  }
}
