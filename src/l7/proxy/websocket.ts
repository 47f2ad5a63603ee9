// Upgrades on HTTP/1.1 listeners. WebSocket handshakes are routed like any request (same
// matching, filters and 404/503 answers), then the upstream's 101 is relayed and bytes flow both
// ways; the upstream connection comes from the endpoint's pool (undici's upgrade), never the VIP.
// Other upgrades (e.g. `Upgrade: h2c` from curl --http2) are served as plain HTTP/1.1 requests:
// Upgrade is hop-by-hop, so ignoring it is always allowed (RFC 9110 §7.8).
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { beginExchange, handleRequest, localAnswer, prepare, type HandlerDeps, type ListenerInfo } from './handler.js';
import { forwardResponseHeaders, isWebSocketUpgrade } from './headers.js';
import { recordOutcome } from './balance.js';
import { classifyError, endpointKey } from './upstreams.js';

export function handleUpgrade(deps: HandlerDeps, li: ListenerInfo, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  const res = new http.ServerResponse(req);
  res.assignSocket(socket as Parameters<http.ServerResponse['assignSocket']>[0]);
  res.shouldKeepAlive = false;
  res.on('finish', () => socket.end());
  if (!isWebSocketUpgrade(req.method ?? '', req.rawHeaders)) {
    if (head.length > 0) socket.unshift(head);
    void handleRequest(deps, li, req, res);
    return;
  }
  const ex = beginExchange(deps, li, req, res);
  const p = prepare(deps, ex, true);
  if (!p) return;
  const picked = p.cluster.pick(Date.now(), deps.random);
  if (!picked) return void localAnswer(ex, 503, `no ready endpoint for cluster ${p.cluster.cluster.name}`);
  const key = endpointKey(picked.endpoint);
  ex.upstream = key;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), p.route.timeouts?.requestMs ?? 30_000);
  socket.once('close', () => ctl.abort());
  picked.state.inflight++;
  deps.upstreams
    .upgrade(picked.endpoint, { method: 'GET', path: p.path, headers: p.headers, signal: ctl.signal }, 'websocket')
    .then(({ headers, socket: up }) => {
      clearTimeout(timer);
      recordOutcome(picked.state, true, Date.now());
      res.detachSocket(socket as Parameters<http.ServerResponse['detachSocket']>[0]);
      res.statusCode = 101;
      const lines = ['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: websocket'];
      for (const [k, v] of Object.entries(forwardResponseHeaders(headers))) for (const x of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${x}`);
      socket.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length > 0) up.write(head);
      up.on('error', () => socket.destroy());
      const done = () => {
        picked.state.inflight = Math.max(0, picked.state.inflight - 1);
        up.destroy();
        socket.destroy();
        res.emit('close');
      };
      up.once('close', done);
      socket.once('close', done);
      up.on('data', (c: Buffer) => (ex.bytes += c.length));
      socket.pipe(up);
      up.pipe(socket);
    })
    .catch((err: unknown) => {
      clearTimeout(timer);
      picked.state.inflight--;
      const why = classifyError(err, ctl.signal);
      if (why === 'connect-failure') recordOutcome(picked.state, false, Date.now());
      deps.metrics.upstreamFailures.inc({ cluster: p.cluster.cluster.name, reason: why });
      localAnswer(ex, why === 'connect-failure' ? 503 : 502, `WebSocket upgrade to cluster ${p.cluster.cluster.name} endpoint ${key} failed: ${(err as Error).message}`);
    });
}
