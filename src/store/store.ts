// The object store every controller reads: client-go's informer cache in miniature. Objects go in
// through apply (from manifests now, from a kube-apiserver watch later) and come out through get,
// list and watch. Everything handed in or out is a copy, so no caller can change the store behind
// its back and every change produces exactly one event.
import { isNamespaced } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { canonicalJSON } from '../api/util.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}
export type WatchHandler = (ev: WatchEvent) => void;
export type ApplyResult = 'created' | 'configured' | 'unchanged';

export interface StoreOptions {
  /** Injected so that tests (and golden files) see predictable uids. */
  newUid: () => string;
  /** Optional clock for metadata.creationTimestamp; omitted, objects get none (plans must not depend on time). */
  now?: () => string;
}

export interface StoreSnapshot {
  resourceVersion: number;
  objects: KubeObject[];
}

/** Metadata the store owns; a user's apply never changes or compares these. */
const SERVER_FIELDS = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields'] as const;

export function storeKey(kind: string, namespace: string | undefined, name: string): string {
  return isNamespaced(kind) ? `${kind}/${namespace || 'default'}/${name}` : `${kind}/${name}`;
}

export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private readonly handlers = new Set<WatchHandler>();
  private rv = 0;

  constructor(private readonly opts: StoreOptions) {}

  /** Like `kubectl apply`: creates, or replaces the desired state (everything but status and server fields). */
  apply(input: KubeObject): ApplyResult {
    const obj = structuredClone(input);
    if (isNamespaced(obj.kind)) obj.metadata.namespace ||= 'default';
    else delete obj.metadata.namespace;
    const key = storeKey(obj.kind, obj.metadata.namespace, obj.metadata.name);
    const old = this.objects.get(key);
    if (!old) {
      obj.metadata.uid ||= this.opts.newUid();
      obj.metadata.generation = 1;
      const now = this.opts.now?.();
      if (now !== undefined) obj.metadata.creationTimestamp = now as unknown as Date;
      this.commit(key, obj, 'ADDED');
      return 'created';
    }
    if (canonicalJSON(desired(old)) === canonicalJSON(desired(obj))) return 'unchanged';
    for (const f of SERVER_FIELDS) {
      if (old.metadata[f] === undefined) delete obj.metadata[f];
      else (obj.metadata as unknown as Record<string, unknown>)[f] = old.metadata[f];
    }
    // As the API server does: status is not the applier's to change, and generation counts spec changes.
    if (old.status !== undefined) obj.status = old.status;
    else delete obj.status;
    if (canonicalJSON(old.spec) !== canonicalJSON(obj.spec)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
    this.commit(key, obj, 'MODIFIED');
    return 'configured';
  }

  delete(kind: string, namespace: string | undefined, name: string): boolean {
    const key = storeKey(kind, namespace, name);
    const old = this.objects.get(key);
    if (!old) return false;
    this.objects.delete(key);
    // Like a watch's DELETED event, carry the last state with a fresh resourceVersion.
    old.metadata.resourceVersion = String(++this.rv);
    this.emit({ type: 'DELETED', object: old });
    return true;
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.objects.get(storeKey(kind, namespace, name));
    return obj && structuredClone(obj);
  }

  /** Objects of a kind, optionally in one namespace, sorted by key so callers see a stable order. */
  list(kind: string, namespace?: string): KubeObject[] {
    const out: [string, KubeObject][] = [];
    for (const [key, obj] of this.objects) {
      if (obj.kind !== kind) continue;
      if (namespace !== undefined && obj.metadata.namespace !== namespace) continue;
      out.push([key, obj]);
    }
    return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => structuredClone(o));
  }

  /** Events are delivered synchronously, after the store has changed. Returns the unsubscribe function. */
  watch(handler: WatchHandler): () => void {
    this.handlers.add(handler);
    return () => { this.handlers.delete(handler); };
  }

  /** The status subresource: changes status only. Returns false when the object does not exist. */
  updateStatus(kind: string, namespace: string | undefined, name: string, status: unknown): boolean {
    const key = storeKey(kind, namespace, name);
    const old = this.objects.get(key);
    if (!old) return false;
    if (canonicalJSON(old.status) === canonicalJSON(status)) return true;
    const obj = structuredClone(old);
    obj.status = structuredClone(status);
    this.commit(key, obj, 'MODIFIED');
    return true;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** Plain JSON data, for the daemon to persist across restarts. */
  snapshot(): StoreSnapshot {
    const objects = [...this.objects.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, o]) => structuredClone(o));
    return { resourceVersion: this.rv, objects };
  }

  /**
   * Replaces the contents with a snapshot. Watchers get the difference as events, so a restore is
   * just another change to them. resourceVersion never goes backwards, even for an older snapshot.
   */
  restore(snap: StoreSnapshot): void {
    this.rv = Math.max(this.rv, snap.resourceVersion);
    const next = new Map<string, KubeObject>();
    for (const o of snap.objects) next.set(storeKey(o.kind, o.metadata.namespace, o.metadata.name), structuredClone(o));
    const events: WatchEvent[] = [];
    for (const [key, old] of this.objects) {
      if (!next.has(key)) events.push({ type: 'DELETED', object: old });
    }
    for (const [key, obj] of next) {
      const old = this.objects.get(key);
      if (!old) events.push({ type: 'ADDED', object: obj });
      else if (canonicalJSON(old) !== canonicalJSON(obj)) events.push({ type: 'MODIFIED', object: obj });
    }
    this.objects.clear();
    for (const [key, obj] of next) this.objects.set(key, obj);
    for (const ev of events) this.emit(ev);
  }

  private commit(key: string, obj: KubeObject, type: WatchEventType): void {
    obj.metadata.resourceVersion = String(++this.rv);
    this.objects.set(key, obj);
    this.emit({ type, object: obj });
  }

  /** Every handler sees every event even if an earlier one throws; the first error is rethrown after. */
  private emit(ev: WatchEvent): void {
    let failure: unknown;
    let failed = false;
    for (const h of [...this.handlers]) {
      try {
        // Each handler gets its own copy, so one cannot alter what the next sees.
        h({ type: ev.type, object: structuredClone(ev.object) });
      } catch (e) {
        if (!failed) { failure = e; failed = true; }
      }
    }
    if (failed) throw failure;
  }
}

/** What `kubectl apply` controls: everything except status and the server-owned metadata. */
function desired(obj: KubeObject): unknown {
  const { status: _status, metadata, ...rest } = obj;
  const meta: Record<string, unknown> = { ...metadata };
  for (const f of SERVER_FIELDS) delete meta[f];
  return { ...rest, metadata: meta };
}
