// One request through the proxy: normalise, select a route on the snapshot taken at the start,
// apply filters, choose a backend by weight and an endpoint by the balancer, forward over the
// endpoint's pool with timeouts and retries, copy the response back. Every way out goes through
// `finish`, which writes the access-log line and the metrics exactly once.
import { Transform, type Readable } from 'node:stream';
import { modifyHeaders, pickBackend, redirectFor, rewriteFor } from '../filters.js';
import type { Filter, Header, RequestView, Route } from '../route-table.js';
import type { ClusterRuntime } from './clusters.js';
import { formatAccessRecord } from './access-log.js';
import { forwardRequestHeaders, forwardResponseHeaders, framingProblem, headerBytes, toHeaderList, toHeaderMap, type HeaderMap } from './headers.js';
import { normalizeTarget } from './normalize.js';
import { answer, destroyResponse, isHttp2, type DownstreamRequest, type DownstreamResponse } from './respond.js';
import { mirror, forwardWithRetries } from './forward.js';
import type { Snapshot } from './snapshot.js';
import type { BodyOut } from './upstream-body.js';
import type { HandlerDeps } from './handler-deps.js';

export type { HandlerDeps, HandlerOptions } from './handler-deps.js';

export interface ListenerInfo {
  name: string;
  port: number;
  scheme: 'http' | 'https';
}

class BodyTooLarge extends Error {
  readonly code = 'EBODYLIMIT';
}

export function hostOf(authority: string): string {
  const a = authority.toLowerCase();
  if (a.startsWith('[')) return a.slice(0, a.indexOf(']') + 1);
  const colon = a.lastIndexOf(':');
  return colon >= 0 ? a.slice(0, colon) : a;
}

/** What a request resolved to, once routing and request filters are done. */
export interface Prepared {
  snap: Snapshot;
  route: Route;
  cluster: ClusterRuntime;
  /** Path and query as forwarded. */
  path: string;
  headers: HeaderMap;
  mirrors: Extract<Filter, { type: 'RequestMirror' }>[];
  responseMods: Filter[];
}

/** Per-request bookkeeping for the access log and metrics. */
export interface Exchange {
  li: ListenerInfo;
  req: DownstreamRequest;
  res: DownstreamResponse;
  route: string;
  backend: string;
  upstream: string;
  host: string;
  authority: string;
  path: string;
  bytes: number;
  detail?: string;
}

/** Starts the bookkeeping: the access-log line and metrics are written when the response ends. */
export function beginExchange(deps: HandlerDeps, li: ListenerInfo, req: DownstreamRequest, res: DownstreamResponse): Exchange {
  const started = performance.now();
  const authority = (isHttp2(req) ? req.headers[':authority'] : undefined) ?? req.headers.host ?? '';
  const ex: Exchange = { li, req, res, route: '-', backend: '-', upstream: '-', host: hostOf(authority), authority, path: req.url ?? '', bytes: 0 };
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    const ms = performance.now() - started;
    const status = res.statusCode;
    deps.metrics.observe(li.name, ex.route, ex.backend, status, ms / 1000);
    if (!deps.log) return;
    deps.log(formatAccessRecord({
      time: new Date().toISOString(), listener: li.name, route: ex.route, method: req.method ?? '', host: ex.host, path: ex.path,
      proto: isHttp2(req) ? 'HTTP/2' : `HTTP/${req.httpVersion}`, status, upstream: ex.upstream, duration_ms: Math.round(ms * 1000) / 1000, bytes: ex.bytes,
      ...(ex.detail ? { detail: ex.detail } : {}),
    }));
  };
  res.on('finish', finish);
  res.on('close', finish);
  return ex;
}

export function localAnswer(ex: Exchange, status: number, text: string, opts: { headers?: HeaderMap; close?: boolean } = {}): undefined {
  ex.detail = text;
  answer(ex.res, status, text, opts);
  return undefined;
}

/**
 * Routing and request filters. Answers locally (and returns undefined) for bad requests, no
 * route, redirects, direct responses and missing backends or endpoints.
 */
export function prepare(deps: HandlerDeps, ex: Exchange, websocket: boolean): Prepared | undefined {
  const { li, req } = ex;
  const snap = deps.snapshot();
  const raw = req.rawHeaders;
  const framing = framingProblem(raw);
  if (framing) return localAnswer(ex, 400, `bad request: ${framing}`, { close: true });
  if (isHttp2(req) && headerBytes(raw) > deps.options.maxHeaderBytes) return localAnswer(ex, 431, `request headers larger than ${deps.options.maxHeaderBytes} bytes`);
  const target = normalizeTarget(req.url ?? '');
  if (!target.ok) return localAnswer(ex, 400, `bad request: ${target.reason}`, { close: true });
  ex.path = target.path;
  const sel = snap.compiled.select(li.port, requestView(ex.host, target.path, target.query, req));
  if (!sel) return localAnswer(ex, 404, `no listener on port ${li.port}`);
  if (sel.kind === 'none') {
    return localAnswer(ex, 404, sel.reason === 'no-host' ? `no route for host ${ex.host} on listener ${sel.listener.name}` : `no route for host ${ex.host} path ${target.path} on listener ${sel.listener.name}`);
  }
  const { route, vhost, listener } = sel;
  ex.route = route.name;
  const query = target.query ? '?' + target.query : '';
  if (vhost.httpsRedirect && li.scheme === 'http') {
    const location = `https://${ex.authority.replace(/:\d+$/, '')}${target.path}${query}`;
    return localAnswer(ex, 308, `redirecting to ${location}`, { headers: { location } });
  }
  if (route.directResponse) return localAnswer(ex, route.directResponse.status, route.directResponse.body ?? `route ${route.name} answers ${route.directResponse.status}`);

  // Request filters, in order; a redirect ends the request here.
  let headers = forwardRequestHeaders(raw, { clientIp: clientIp(req), proto: li.scheme, host: ex.authority, websocket });
  let path = target.path;
  let host = ex.authority;
  const responseMods: Filter[] = [];
  const mirrors: Extract<Filter, { type: 'RequestMirror' }>[] = [];
  const apply = (filters: readonly Filter[]): boolean => {
    for (const f of filters) {
      if (f.type === 'RequestHeaderModifier') headers = modifyHeaders(headers, f);
      else if (f.type === 'ResponseHeaderModifier') responseMods.push(f);
      else if (f.type === 'RequestMirror') mirrors.push(f);
      else if (f.type === 'URLRewrite') {
        const r = rewriteFor(f, path, route.match);
        path = r.path;
        if (r.host !== undefined) host = r.host;
      } else if (f.type === 'RequestRedirect') {
        const r = redirectFor(f, { scheme: li.scheme, host: ex.host, listenerPort: listener.port, path, query: target.query }, route.match);
        localAnswer(ex, r.status, `redirecting to ${r.location}`, { headers: responseHeaders({ location: r.location }, responseMods) });
        return false;
      }
    }
    return true;
  };
  if (!apply(route.filters)) return undefined;
  const backend = pickBackend(route.backends, deps.random());
  if (!backend) return localAnswer(ex, 500, `route ${route.name} has no valid backend`);
  ex.backend = backend.cluster;
  if (backend.filters && !apply(backend.filters)) return undefined;
  const cluster = snap.clusters.get(backend.cluster);
  if (!cluster) return localAnswer(ex, 500, `cluster ${backend.cluster} of route ${route.name} is not in the route table`);
  if (cluster.size === 0) return localAnswer(ex, 503, `no ready endpoint for cluster ${backend.cluster}`);
  const outHeaders = toHeaderMap(headers);
  outHeaders['host'] = host;
  return { snap, route, cluster, path: path + query, headers: outHeaders, mirrors, responseMods };
}

export async function handleRequest(deps: HandlerDeps, li: ListenerInfo, req: DownstreamRequest, res: DownstreamResponse): Promise<void> {
  const ex = beginExchange(deps, li, req, res);
  const p = prepare(deps, ex, false);
  if (!p) return;
  const h2 = isHttp2(req);
  const len = Number(req.headers['content-length'] ?? 0);
  const max = deps.options.maxBodyBytes;
  if (len > max) return localAnswer(ex, 413, `request body larger than ${max} bytes`, { close: true });
  const hasBody = h2 ? !req.stream.endAfterHeaders : len > 0 || req.headers['transfer-encoding'] !== undefined;
  let body: (Readable & { tooLarge?: boolean }) | null = null;
  if (hasBody) body = len > 0 ? req : req.pipe(limitBody(max));
  for (const m of p.mirrors) mirror(deps, p.snap, m, req.method ?? 'GET', p.path, p.headers, body === null);

  const controller = new AbortController();
  res.on('close', () => !res.writableFinished && controller.abort());
  const result = await forwardWithRetries(deps, { method: req.method ?? 'GET', path: p.path, headers: p.headers, body, route: p.route, cluster: p.cluster, controller });
  if (result.kind === 'error') {
    if (body?.tooLarge) return localAnswer(ex, 413, `request body larger than ${max} bytes`, { close: true });
    ex.upstream = result.upstream ?? '-';
    return localAnswer(ex, result.status, result.message, { close: body !== null });
  }
  ex.upstream = result.upstream;
  const up = result.response;
  res.writeHead(up.status, responseHeaders(forwardResponseHeaders(up.headers), p.responseMods));
  up.body.pipe(res as BodyOut, (n) => (ex.bytes += n), (err) => {
    result.release();
    if (err) destroyResponse(res);
  });
}

export function responseHeaders(base: HeaderMap, mods: readonly Filter[]): HeaderMap {
  if (mods.length === 0) return base;
  let list: Header[] = toHeaderList(base);
  for (const m of mods) if (m.type === 'ResponseHeaderModifier') list = modifyHeaders(list, m);
  return toHeaderMap(list);
}

function requestView(host: string, path: string, query: string, req: DownstreamRequest): RequestView {
  return {
    host,
    path,
    query,
    method: req.method ?? 'GET',
    header(name: string): string | undefined {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(',') : v;
    },
  };
}

export function clientIp(req: DownstreamRequest): string {
  const a = req.socket?.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** Counts a streamed (chunked) body and fails it past the limit; the handler then answers 413. */
function limitBody(max: number): Transform & { tooLarge?: boolean } {
  let n = 0;
  const t: Transform & { tooLarge?: boolean } = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      if (n > max) {
        t.tooLarge = true;
        cb(new BodyTooLarge(`request body larger than ${max} bytes`));
      } else cb(null, chunk);
    },
  });
  return t;
}

