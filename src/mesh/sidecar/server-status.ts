// The sidecar's status port (Istio's 15021): readiness is having a workload certificate, and
// /status is what `podnet mesh status` shows: identity, expiry, mode, and why there is no
// certificate when there is none.
import http from 'node:http';
import { STATUS_PORT } from '../ports.js';
import type { IdentityStatus } from './identity.js';

export interface SidecarStatus extends IdentityStatus {
  mode: string;
  counters: Record<string, number>;
}

export async function startStatus(status: () => SidecarStatus, port = STATUS_PORT): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const s = status();
    const body = (code: number, v: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(v) + '\n');
    };
    if (req.url === '/healthz/ready') return body(s.state === 'ready' ? 200 : 503, { state: s.state, reason: s.reason });
    if (req.url === '/status') return body(200, s);
    body(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '0.0.0.0', resolve));
  return server;
}
