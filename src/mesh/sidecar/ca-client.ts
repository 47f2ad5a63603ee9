// The sidecar's calls to the mesh CA over its unix socket (ca/server.ts).
import http from 'node:http';
import type { IssuedIdentity } from './identity.js';

function call<T>(socketPath: string, method: string, path: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ socketPath, method, path, headers: text ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } : {}, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          return reject(new Error(`mesh CA ${path}: HTTP ${res.statusCode}: not JSON`));
        }
        if (res.statusCode !== 200) return reject(new Error(`mesh CA refused (HTTP ${res.statusCode}): ${(parsed as { error?: string }).error ?? raw}`));
        resolve(parsed as T);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`mesh CA ${path}: timed out`)));
    req.on('error', reject);
    req.end(text);
  });
}

export function requestCertificate(socketPath: string, csrPem: string): Promise<IssuedIdentity> {
  return call<IssuedIdentity>(socketPath, 'POST', '/v1/certificates', { csr: csrPem });
}

export function fetchPeers(socketPath: string): Promise<Record<string, string>> {
  return call<Record<string, string>>(socketPath, 'GET', '/v1/peers');
}
