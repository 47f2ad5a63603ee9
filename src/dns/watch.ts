// The DNS pod's view of the cluster: a watch on the lab daemon's API (client-go's reflector in
// miniature). Contract: `GET /v1/watch?kind=A&kind=B` over the unix socket answers a never-ending
// ndjson stream: one ADDED line per existing object, a BOOKMARK line, then live events. On any
// failure we reconnect with back-off and take the new stream's listing as the whole truth (objects
// deleted while we were away simply do not reappear); the consumer keeps its last state meanwhile.
import { request, type ClientRequest } from 'node:http';
import type { KubeObject } from '../api/types.js';
import { storeKey } from '../store/store.js';

export class WatchError extends Error {
  readonly code = 'EWATCH';
}

export type Snapshot = ReadonlyMap<string, KubeObject>;

/** One live change. `object` is the object as it now is, or as it was last seen when DELETED. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

/** Folds the lines of one stream into a snapshot. Pure, so the protocol is tested without sockets. */
export class WatchReducer {
  private pending = new Map<string, KubeObject>();
  private synced = false;
  private last: WatchEvent | undefined;

  constructor(private readonly kinds: ReadonlySet<string>) {}

  /** The current objects; complete only once `isSynced`. */
  get snapshot(): Snapshot {
    return this.pending;
  }

  get isSynced(): boolean {
    return this.synced;
  }

  /**
   * What the last `feed` that returned true did: the event, or undefined when it was the BOOKMARK
   * that ends a listing (the snapshot is then the whole truth, to be taken as one).
   */
  get lastEvent(): WatchEvent | undefined {
    return this.last;
  }

  /** Applies one line; returns whether the snapshot a consumer should see changed. Throws WatchError on a bad line. */
  feed(line: string): boolean {
    const text = line.trim();
    if (!text) return false;
    let ev: { type?: unknown; object?: Partial<KubeObject> & { message?: string } };
    try {
      ev = JSON.parse(text) as typeof ev;
    } catch {
      throw new WatchError(`watch: a line is not JSON: ${text.slice(0, 80)}`);
    }
    if (ev.type === 'BOOKMARK') {
      if (this.synced) return false;
      this.synced = true;
      this.last = undefined;
      return true;
    }
    if (ev.type === 'ERROR') throw new WatchError(`watch: the API reported an error: ${ev.object?.message ?? JSON.stringify(ev.object)}`);
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') {
      throw new WatchError(`watch: unknown event type ${JSON.stringify(ev.type)}`);
    }
    const obj = ev.object;
    if (!obj || typeof obj.kind !== 'string' || typeof obj.metadata?.name !== 'string') {
      throw new WatchError(`watch: ${ev.type} event without object.kind and object.metadata.name`);
    }
    if (!this.kinds.has(obj.kind)) return false;
    const key = storeKey(obj.kind, obj.metadata.namespace, obj.metadata.name);
    if (ev.type === 'DELETED') this.pending.delete(key);
    else this.pending.set(key, obj as KubeObject);
    this.last = { type: ev.type, object: obj as KubeObject };
    return this.synced;
  }
}

export interface WatchOptions {
  socketPath: string;
  kinds: string[];
  /**
   * Called at each stream's BOOKMARK with the relisted state (`event` undefined: take the snapshot
   * whole), then after every event with that event, so a consumer can apply just the change.
   */
  onChange: (snapshot: Snapshot, event: WatchEvent | undefined) => void;
  log?: (line: string) => void;
  /** Reconnect delays: doubling from `initialMs` up to `maxMs`, reset by a BOOKMARK. Default 100 ms, 5 s. */
  backoff?: { initialMs: number; maxMs: number };
}

export interface Watch {
  close(): void;
}

export function startWatch(opts: WatchOptions): Watch {
  const kinds = new Set(opts.kinds);
  const log = opts.log ?? (() => undefined);
  const initial = opts.backoff?.initialMs ?? 100;
  const max = opts.backoff?.maxMs ?? 5000;
  let delay = initial;
  let closed = false;
  let req: ClientRequest | undefined;
  let timer: NodeJS.Timeout | undefined;

  const retry = (why: string) => {
    if (closed || timer) return;
    req?.destroy();
    req = undefined;
    log(`watch: ${why}; reconnecting in ${delay} ms`);
    timer = setTimeout(() => {
      timer = undefined;
      connect();
    }, delay);
    delay = Math.min(delay * 2, max);
  };

  const connect = () => {
    const query = new URLSearchParams(opts.kinds.map((k) => ['kind', k]));
    const reducer = new WatchReducer(kinds);
    // Events of a connection we already gave up on (late 'end', 'error') must not touch the next one.
    const fail = (why: string) => {
      if (req === r) retry(why);
    };
    const r: ClientRequest = request({ socketPath: opts.socketPath, method: 'GET', path: `/v1/watch?${query}` }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return fail(`GET /v1/watch answered HTTP ${res.statusCode}`);
      }
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        try {
          for (const line of lines) {
            const wasSynced = reducer.isSynced;
            if (!reducer.feed(line)) continue;
            if (!wasSynced) delay = initial;
            opts.onChange(reducer.snapshot, reducer.lastEvent);
          }
        } catch (err) {
          fail((err as Error).message);
        }
      });
      res.on('end', () => fail('the watch stream ended'));
      res.on('error', (err) => fail(`the watch stream failed: ${err.message}`));
      // A connection cut mid-stream may end with 'close' alone; fail() ignores the duplicates.
      res.on('close', () => fail('the watch stream closed'));
    });
    r.on('error', (err) => fail(`cannot reach ${opts.socketPath}: ${err.message}`));
    r.end();
    req = r;
  };

  connect();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      req?.destroy();
    },
  };
}
