// The mesh CA's endpoint: HTTP over a unix socket in the lab's directory. The identity proof is
// the kernel's: SO_PEERCRED names the calling process, and the caller's identity is that of the
// pod whose network namespace the process is in (resolved by the lab from its store: the pod's
// namespace and serviceAccountName). A sidecar cannot ask for another pod's identity without
// running in that pod, which is the boundary a projected service-account token draws for Istio.
//   POST /v1/certificates {"csr": PEM}  -> {certPem, bundle, notBefore, notAfter, spiffeId}
//   GET  /v1/peers                      -> {"10.244.1.5": "spiffe://…", …}: meshed pods' addresses
//   GET  /v1/bundle                     -> {"bundle": [PEM, …]}
import http from 'node:http';
import { chmodSync, rmSync } from 'node:fs';
import { peerCred, socketFd } from '../../sys/sockopt.js';
import { CsrError } from './csr-check.js';
import type { MeshCa } from './ca.js';

export interface CaServerDeps {
  ca: MeshCa;
  /** The workload a process belongs to, or why it has none. */
  identify(pid: number): { namespace: string; serviceAccount: string } | string;
  /** Meshed pods' addresses -> their SPIFFE IDs. */
  peers(): Record<string, string>;
}

const MAX_BODY = 64 * 1024;

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new CsrError('request body too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function sign(deps: CaServerDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const who = deps.identify(peerCred(socketFd(req.socket)).pid);
  if (typeof who === 'string') return send(res, 403, { error: who });
  let csr: unknown;
  try {
    csr = (JSON.parse(await readBody(req)) as { csr?: unknown }).csr;
  } catch (err) {
    return send(res, 400, { error: err instanceof CsrError ? err.message : 'body: not JSON' });
  }
  if (typeof csr !== 'string') return send(res, 400, { error: 'body: csr must be a PEM string' });
  try {
    const issued = await deps.ca.sign(csr, who);
    send(res, 200, { certPem: issued.certPem, bundle: issued.bundle, notBefore: issued.notBefore.toISOString(), notAfter: issued.notAfter.toISOString(), spiffeId: issued.spiffeId });
  } catch (err) {
    send(res, err instanceof CsrError ? 403 : 500, { error: (err as Error).message });
  }
}

export async function startCaServer(socketPath: string, deps: CaServerDeps): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const route = `${req.method} ${req.url}`;
    if (route === 'POST /v1/certificates') return void sign(deps, req, res).catch((err: Error) => send(res, 500, { error: err.message }));
    if (route === 'GET /v1/peers') return send(res, 200, deps.peers());
    if (route === 'GET /v1/bundle') return send(res, 200, { bundle: deps.ca.bundle() });
    send(res, 404, { error: `no route ${route}` });
  });
  rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
  // Sidecars run as uid 1337; who may sign is decided per request from SO_PEERCRED, not by the mode.
  chmodSync(socketPath, 0o666);
  return server;
}
