// An upstream response body as the proxy consumes it: streamed straight into the client's
// response, or dropped (a retried attempt, a mirror). HTTP/1 pools use undici's `dispatch` with a
// handler of ours (DispatchResponse): its chunks go to the client's response as they arrive, with
// no Readable, no AbortSignal and no body mixin in between (undici's `request` builds all three per
// request, a tenth of the proxy's CPU in profiles under load). h2c streams are Readables already
// and get the same interface through ReadableBody.
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

/** Where a body goes. `write` returning false pauses the upstream until `drain`. */
export interface BodyOut {
  write(chunk: Buffer): boolean;
  end(chunk?: Buffer): void;
  once(event: 'drain', cb: () => void): unknown;
}

export interface UpstreamBody {
  /** Streams the body into `out`; `done` is called once, with the error when the upstream failed mid-body (then `out` is not ended). */
  pipe(out: BodyOut, onBytes: (n: number) => void, done: (err?: Error) => void): void;
  /** Reads and drops the rest; `done` is called once it ended or failed. */
  discard(done?: () => void): void;
}

export interface UpstreamHead {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: UpstreamBody;
}

/**
 * One HTTP/1 exchange over a pool. The response head resolves `settle`; body chunks that arrive
 * before a consumer attaches (a small response comes in the same read as its head) are held and
 * written in one go, so that the client's response leaves in a single write.
 */
export class DispatchResponse implements Dispatcher.DispatchHandler, UpstreamBody {
  private ctl: Dispatcher.DispatchController | undefined;
  private held: Buffer[] = [];
  private ended = false;
  private failed: Error | undefined;
  private out: BodyOut | undefined;
  private onBytes: ((n: number) => void) | undefined;
  private done: ((err?: Error) => void) | undefined;
  private settled = false;
  private readonly onAbort: () => void;

  constructor(
    private readonly signal: AbortSignal,
    private readonly settle: (err: Error | undefined, head?: UpstreamHead) => void,
  ) {
    this.onAbort = () => this.ctl?.abort(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.ctl = controller;
    if (this.signal.aborted) this.onAbort();
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>): void {
    // 1xx answers (100-continue) are undici's business; only the final head counts.
    if (status < 200 || this.settled) return;
    this.settled = true;
    this.settle(undefined, { status, headers, body: this });
  }

  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.out) {
      this.held.push(chunk);
      return;
    }
    this.onBytes?.(chunk.length);
    if (!this.out.write(chunk)) {
      c.pause();
      this.out.once('drain', () => c.resume());
    }
  }

  onResponseEnd(): void {
    this.ended = true;
    this.signal.removeEventListener('abort', this.onAbort);
    if (this.out) this.finish();
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.failed = err;
    this.signal.removeEventListener('abort', this.onAbort);
    if (!this.settled) {
      this.settled = true;
      this.settle(err);
    } else if (this.done) this.finish();
  }

  pipe(out: BodyOut, onBytes: (n: number) => void, done: (err?: Error) => void): void {
    this.done = done;
    this.onBytes = onBytes;
    if (this.ended || this.failed) {
      // Whole body already here (or the upstream already failed): one write, or none.
      this.out = out;
      this.finish();
      return;
    }
    for (const c of this.held) {
      onBytes(c.length);
      out.write(c);
    }
    this.held = [];
    this.out = out;
  }

  discard(done?: () => void): void {
    this.held = [];
    this.pipe({ write: () => true, end: () => undefined, once: () => undefined }, () => undefined, () => done?.());
  }

  private finish(): void {
    const done = this.done;
    this.done = undefined;
    if (!done || !this.out) return;
    if (this.failed) return done(this.failed);
    const held = this.held;
    this.held = [];
    let n = 0;
    for (const c of held) n += c.length;
    if (n > 0) this.onBytes?.(n);
    this.out.end(held.length === 0 ? undefined : held.length === 1 ? held[0] : Buffer.concat(held, n));
    done();
  }
}

/** A Readable response body (h2c streams) behind the same interface. */
export class ReadableBody implements UpstreamBody {
  constructor(private readonly r: Readable) {}

  pipe(out: BodyOut, onBytes: (n: number) => void, done: (err?: Error) => void): void {
    let called = false;
    const once = (err?: Error) => {
      if (called) return;
      called = true;
      done(err);
    };
    this.r.on('data', (c: Buffer) => {
      onBytes(c.length);
      if (!out.write(c)) {
        this.r.pause();
        out.once('drain', () => this.r.resume());
      }
    });
    this.r.on('error', (err: Error) => once(err));
    this.r.on('end', () => {
      out.end();
      once();
    });
    this.r.on('close', () => once(this.r.readableEnded ? undefined : new Error('upstream stream closed before its end')));
  }

  discard(done?: () => void): void {
    this.r.on('error', () => undefined);
    this.r.resume().once('close', () => done?.());
  }
}
