// Forwarding with the route's timeouts and retries. Retrying needs the request again, so only
// requests without a body are retried (as Envoy does without buffering); those are also retried
// once on a refused connection even without a retry policy, on another endpoint when there is one
// (the "idempotent requests retried on connection failure").
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Filter, Route } from '../route-table.js';
import { recordOutcome } from './balance.js';
import type { ClusterRuntime } from './clusters.js';
import type { HandlerDeps } from './handler-deps.js';
import type { HeaderMap } from './headers.js';
import type { Snapshot } from './snapshot.js';
import { classifyError, endpointKey, type UpstreamResponse } from './upstreams.js';

export interface Attempt {
  method: string;
  path: string;
  headers: HeaderMap;
  body: Readable | null;
  route: Route;
  cluster: ClusterRuntime;
  /** Aborted when the client goes away; the route's timeouts abort it too. */
  controller: AbortController;
}

export type ForwardResult =
  | { kind: 'response'; response: UpstreamResponse; upstream: string; release: () => void }
  | { kind: 'error'; status: number; message: string; upstream?: string };

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const CONNECT_FAILURE_ONLY: ReadonlySet<number | string> = new Set(['connect-failure']);
// A route's retryOn list as a set, built once per list (routes live as long as their table).
const retrySets = new WeakMap<readonly (number | string)[], ReadonlySet<number | string>>();

function retryOnOf(list: readonly (number | string)[]): ReadonlySet<number | string> {
  let set = retrySets.get(list);
  if (!set) {
    set = new Set(list);
    retrySets.set(list, set);
  }
  return set;
}

export async function forwardWithRetries(deps: HandlerDeps, a: Attempt): Promise<ForwardResult> {
  const { route, cluster } = a;
  const name = cluster.cluster.name;
  const retry = route.retry;
  const canRetry = a.body === null;
  const tries = 1 + (canRetry ? (retry ? retry.attempts : IDEMPOTENT.has(a.method) ? 1 : 0) : 0);
  const retryOn = retry ? retryOnOf(retry.retryOn) : CONNECT_FAILURE_ONLY;
  const perTryMs = retry?.perTryTimeoutMs ?? route.timeouts?.backendRequestMs;
  const totalMs = route.timeouts?.requestMs;
  let timedOut = false;
  const total = totalMs ? setTimeout(() => ((timedOut = true), a.controller.abort()), totalMs) : undefined;
  // Only a retry needs to know which endpoints were tried.
  const tried = tries > 1 ? new Set<string>() : undefined;
  let last: ForwardResult = { kind: 'error', status: 503, message: `no ready endpoint for cluster ${name}` };
  try {
    for (let i = 0; i < tries; i++) {
      if (i > 0 && retry?.backoffMs) await sleep(retry.backoffMs * 2 ** (i - 1));
      if (a.controller.signal.aborted) break;
      const picked = cluster.pick(Date.now(), deps.random, tried);
      if (!picked) break;
      const key = endpointKey(picked.endpoint);
      tried?.add(key);
      // A try of its own (abortable apart from the request) only when a per-try timeout needs one.
      const tryCtl = perTryMs ? new AbortController() : a.controller;
      const onAbort = () => tryCtl.abort();
      if (tryCtl !== a.controller) a.controller.signal.addEventListener('abort', onAbort, { once: true });
      let tryTimedOut = false;
      const perTry = perTryMs ? setTimeout(() => ((tryTimedOut = true), tryCtl.abort()), perTryMs) : undefined;
      picked.state.inflight++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        picked.state.inflight--;
        clearTimeout(perTry);
        a.controller.signal.removeEventListener('abort', onAbort);
      };
      try {
        const response = await deps.upstreams.request(picked.endpoint, cluster.cluster.protocol, {
          method: a.method, path: a.path, headers: a.headers, body: a.body, signal: tryCtl.signal,
        });
        recordOutcome(picked.state, true, Date.now());
        if (i + 1 < tries && retryOn.has(response.status)) {
          response.body.discard();
          release();
          last = { kind: 'error', status: response.status, message: `cluster ${name} answered ${response.status} on every try`, upstream: key };
          continue;
        }
        // The whole-request timer keeps running while the body streams (Gateway API's
        // timeouts.request covers the response); the per-try timer ends with the headers.
        clearTimeout(perTry);
        return { kind: 'response', response, upstream: key, release: () => (release(), clearTimeout(total)) };
      } catch (err) {
        release();
        const why = tryTimedOut ? 'timeout' : classifyError(err, a.controller.signal);
        deps.metrics.upstreamFailures.inc({ cluster: name, reason: why });
        if (why === 'connect-failure') recordOutcome(picked.state, false, Date.now());
        if (why === 'aborted') {
          last = timedOut
            ? { kind: 'error', status: 504, message: `upstream request timeout after ${totalMs} ms (route ${route.name})`, upstream: key }
            : { kind: 'error', status: 499, message: 'client closed the request', upstream: key };
          break;
        }
        last = why === 'timeout'
          ? { kind: 'error', status: 504, message: `cluster ${name} endpoint ${key} did not answer within ${perTryMs} ms`, upstream: key }
          : why === 'connect-failure'
            ? { kind: 'error', status: 503, message: `no endpoint of cluster ${name} accepted a connection (last ${key}: ${(err as Error).message})`, upstream: key }
            : { kind: 'error', status: 502, message: `cluster ${name} endpoint ${key} reset the request: ${(err as Error).message}`, upstream: key };
        if (!retryOn.has(why) && !(why === 'timeout' && retry)) break;
      }
    }
  } catch (err) {
    last = { kind: 'error', status: 500, message: `proxy error: ${(err as Error).message}` };
  }
  clearTimeout(total);
  return last;
}

/** RequestMirror: a fire-and-forget copy (only of body-less requests; the answer is dropped). */
export function mirror(deps: HandlerDeps, snap: Snapshot, f: Extract<Filter, { type: 'RequestMirror' }>, method: string, path: string, headers: HeaderMap, bodyless: boolean): void {
  if (!bodyless) return;
  if (f.percent !== undefined && deps.random() * 100 >= f.percent) return;
  const cluster = snap.clusters.get(f.cluster);
  const picked = cluster?.pick(Date.now(), deps.random);
  if (!cluster || !picked) return;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 10_000);
  deps.upstreams
    .request(picked.endpoint, cluster.cluster.protocol, { method, path, headers: { ...headers }, body: null, signal: ctl.signal })
    .then((r) => r.body.discard(() => clearTimeout(timer)))
    .catch(() => {
      clearTimeout(timer);
      deps.metrics.upstreamFailures.inc({ cluster: f.cluster, reason: 'mirror' });
    });
}
