// Pooled keep-alive connections to endpoints (pod addresses, never a Service VIP): one undici
// Pool per `address:port` for HTTP/1.1, one HTTP/2 session per endpoint for h2c clusters. Pools
// outlive route tables: an endpoint that stays across a table swap keeps its warm connections;
// pools of endpoints that left are closed gracefully (requests in flight finish first).
import http2 from 'node:http2';
import type { Duplex, Readable } from 'node:stream';
import { Pool } from 'undici';
import type { Endpoint } from '../route-table.js';
import type { HeaderMap } from './headers.js';
import { DispatchResponse, ReadableBody, type UpstreamHead } from './upstream-body.js';

export interface UpstreamRequest {
  method: string;
  /** Path and query as forwarded. */
  path: string;
  /** Includes `host`. */
  headers: HeaderMap;
  body: Readable | null;
  signal: AbortSignal;
}

/** The upstream's answer: status and headers now, the body streamed on demand. */
export type UpstreamResponse = UpstreamHead;

/** Why an upstream attempt failed, in the terms RetryPolicy.retryOn uses. */
export type UpstreamFailure = 'connect-failure' | 'reset' | 'aborted';

const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

export function classifyError(err: unknown, signal: AbortSignal): UpstreamFailure {
  if (signal.aborted) return 'aborted';
  const code = (err as { code?: string } | null)?.code ?? '';
  return CONNECT_CODES.has(code) ? 'connect-failure' : 'reset';
}

export interface UpstreamOptions {
  /** Connections per endpoint pool. */
  connectionsPerEndpoint?: number;
  keepAliveTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export const endpointKey = (ep: Endpoint): string => (ep.address.includes(':') ? `[${ep.address}]:${ep.port}` : `${ep.address}:${ep.port}`);

export class Upstreams {
  private readonly pools = new Map<string, Pool>();
  private readonly sessions = new Map<string, http2.ClientHttp2Session>();

  constructor(private readonly opts: UpstreamOptions = {}) {}

  private pool(key: string): Pool {
    let p = this.pools.get(key);
    if (!p) {
      p = new Pool(`http://${key}`, {
        connections: this.opts.connectionsPerEndpoint ?? 64,
        keepAliveTimeout: this.opts.keepAliveTimeoutMs ?? 30_000,
        connectTimeout: this.opts.connectTimeoutMs ?? 3_000,
        // Timeouts are the route's business (504); undici's own defaults (300 s) stay as a backstop.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.pools.set(key, p);
    }
    return p;
  }

  request(ep: Endpoint, protocol: 'http1' | 'h2c' | undefined, req: UpstreamRequest): Promise<UpstreamResponse> {
    const key = endpointKey(ep);
    if (protocol === 'h2c') return this.requestH2c(key, req);
    // dispatch with a handler of ours: the body goes straight to the client (see upstream-body.ts).
    return new Promise((resolve, reject) => {
      const handler = new DispatchResponse(req.signal, (err, head) => (err ? reject(err) : resolve(head as UpstreamHead)));
      this.pool(key).dispatch({ method: req.method as 'GET', path: req.path, headers: req.headers, body: req.body }, handler);
    });
  }

  /** A WebSocket (or other) upgrade over the endpoint's pool; resolves once it answered 101. */
  async upgrade(ep: Endpoint, req: Omit<UpstreamRequest, 'body'>, protocol: string): Promise<{ headers: Record<string, string | string[] | undefined>; socket: Duplex }> {
    const headers = { ...req.headers };
    // undici writes Connection and Upgrade itself and refuses them among the headers.
    delete headers['connection'];
    delete headers['upgrade'];
    const r = await this.pool(endpointKey(ep)).upgrade({ method: 'GET', path: req.path, headers, protocol, signal: req.signal });
    return { headers: r.headers, socket: r.socket };
  }

  private requestH2c(key: string, req: UpstreamRequest): Promise<UpstreamResponse> {
    let s = this.sessions.get(key);
    if (!s || s.closed || s.destroyed) {
      s = http2.connect(`http://${key}`);
      const session = s;
      this.sessions.set(key, session);
      session.on('error', () => undefined);
      session.on('close', () => this.sessions.get(key) === session && this.sessions.delete(key));
    }
    const session = s;
    return new Promise((resolve, reject) => {
      const headers: http2.OutgoingHttpHeaders = { ...req.headers, ':method': req.method, ':path': req.path, ':authority': headerOne(req.headers['host']) };
      delete headers['host'];
      const stream = session.request(headers, { endStream: req.body === null, signal: req.signal });
      stream.on('error', (err: Error & { code?: string }) => reject(Object.assign(err, { code: err.code === 'ERR_HTTP2_STREAM_CANCEL' ? 'ECONNRESET' : err.code })));
      stream.on('response', (h) => {
        const status = Number(h[':status']);
        const out: Record<string, string | string[] | undefined> = {};
        for (const [k, v] of Object.entries(h)) if (!k.startsWith(':')) out[k] = v as string | string[] | undefined;
        resolve({ status, headers: out, body: new ReadableBody(stream) });
      });
      if (req.body) req.body.pipe(stream);
    });
  }

  /** Closes the pools of endpoints not in `keep`, letting their requests in flight finish. */
  retain(keep: ReadonlySet<string>): void {
    for (const [key, pool] of this.pools) {
      if (keep.has(key)) continue;
      this.pools.delete(key);
      pool.close().catch(() => undefined);
    }
    for (const [key, s] of this.sessions) {
      if (keep.has(key)) continue;
      this.sessions.delete(key);
      s.close();
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}

function headerOne(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v[0] : (v ?? '');
}
