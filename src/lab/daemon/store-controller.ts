// What every lab controller shares: it watches some kinds in the store and reconciles them in
// coalesced passes (see coalescer.ts). Subclasses say which kinds and what a pass does.
import type { ObjectStore } from '../../store/store.js';
import { Coalescer } from './coalescer.js';

export type Log = (line: string) => void;

export const stderrLog: Log = (line) => process.stderr.write(line + '\n');

export abstract class StoreController {
  protected readonly work: Coalescer;
  private stopWatch: (() => void) | undefined;

  constructor(protected readonly store: ObjectStore, private readonly kinds: ReadonlySet<string>, protected readonly log: Log,
    name: string, delayMs?: number) {
    this.work = new Coalescer(() => this.pass(), (err) => this.log(`${name}: ${err.message}`), delayMs);
  }

  protected abstract pass(): Promise<void>;

  start(): void {
    this.stopWatch = this.store.watch((ev) => {
      if (this.kinds.has(ev.object.kind)) this.work.schedule();
    });
    this.work.schedule();
  }

  stop(): void {
    this.stopWatch?.();
    this.work.stop();
  }

  /** Defers passes until the release is called (a bulk change: see Coalescer.hold). */
  hold(): () => void {
    return this.work.hold();
  }

  /** Resolves once every change made before the call has reached every node. */
  flush(): Promise<void> {
    return this.work.flush();
  }
}
