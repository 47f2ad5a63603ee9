// Runs a reconcile pass after changes, folding bursts of store events into one pass, never two
// passes at once, and always one more pass after a change that arrived while a pass ran (the
// informer work-queue pattern, with a single key).
export class Coalescer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly pass: () => Promise<void>, private readonly onError: (err: Error) => void, private readonly delayMs = 5) {}

  /** Marks the state changed; a pass follows within delayMs (or right after the running one). */
  schedule(): void {
    this.dirty = true;
    this.kick();
  }

  private kick(): void {
    if (this.timer || this.running || this.stopped || !this.dirty) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A change can arrive after the loop's last check but before `running` clears: kick again.
      this.running = this.loop().finally(() => {
        this.running = undefined;
        this.kick();
      });
    }, this.delayMs);
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

  private async loop(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      const waiters = this.waiters.splice(0);
      try {
        await this.pass();
      } catch (err) {
        this.onError(err as Error);
      }
      for (const w of waiters) w();
    }
  }
}
