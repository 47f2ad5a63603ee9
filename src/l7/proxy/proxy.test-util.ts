// Shared by the proxy's socket tests: echo upstreams on 127.0.0.1, small hand-made tables, a raw
// HTTP/1 client (to send what well-behaved clients never send) and throwaway certificates made
// with openssl in a temp dir.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEcho, type EchoHandle } from '../echo/echo-main.js';
import type { Cluster, Filter, Listener, Route, RouteTable, TlsCertificate } from '../route-table.js';
import { ProxyServer, type ProxyOptions } from './server.js';

export async function echo(pod: string): Promise<EchoHandle> {
  return startEcho({ httpPort: 0, h2cPort: 0, httpsPort: 0, host: '127.0.0.1', context: { namespace: 'test', ingress: '', service: '', pod } });
}

export function route(name: string, prefix: string, backends: { cluster: string; weight?: number }[], extra: Partial<Route> = {}): Route {
  return { name, match: { path: { type: 'PathPrefix', value: prefix } }, filters: [] as Filter[], backends: backends.map((b) => ({ cluster: b.cluster, weight: b.weight ?? 1 })), ...extra };
}

export function cluster(name: string, ports: number[], protocol?: Cluster['protocol']): Cluster {
  return { name, endpoints: ports.map((port, i) => ({ address: '127.0.0.1', port, pod: `test/${name}-${i}` })), ...(protocol ? { protocol } : {}) };
}

export function table(routes: Route[], clusters: Cluster[], opts: { host?: string; port?: number; https?: TlsCertificate[]; extraListeners?: Listener[] } = {}): RouteTable {
  const listener: Listener = {
    name: opts.https ? 'test/https' : 'test/http',
    port: opts.port ?? 80,
    protocol: opts.https ? 'HTTPS' : 'HTTP',
    ...(opts.https ? { tls: { certificates: opts.https } } : {}),
    virtualHosts: [{ hostname: opts.host ?? '*', routes }],
  };
  return { listeners: [listener, ...(opts.extraListeners ?? [])], clusters: Object.fromEntries(clusters.map((c) => [c.name, c])) };
}

/** A proxy on 127.0.0.1 with every listener on a free port. */
export async function proxy(t: RouteTable, opts: ProxyOptions = {}): Promise<{ proxy: ProxyServer; port: number; portOf: (listenerPort: number) => number; logs: string[] }> {
  const logs: string[] = [];
  const listenPorts: Record<number, number> = {};
  for (const l of t.listeners) listenPorts[l.port] = 0;
  const p = new ProxyServer({ host: '127.0.0.1', listenPorts, log: (l) => logs.push(l), ...opts });
  await p.setTable(t);
  return { proxy: p, port: p.boundPort(t.listeners[0].port) ?? -1, portOf: (lp) => p.boundPort(lp) ?? -1, logs };
}

export interface RawAnswer {
  status: number;
  head: string;
  body: string;
  /** The whole bytes received until the server closed or the timeout. */
  raw: string;
  closed: boolean;
  /** How many of the parts were written before the server closed. */
  sent: number;
}

/** Writes bytes as given and reads until close or `ms`; parses the first status line. */
export function raw(port: number, data: string | Buffer | (string | Buffer)[], ms = 2000, gapMs = 0): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    let sent = 0;
    const parts = Array.isArray(data) ? data : [data];
    s.on('connect', async () => {
      for (const p of parts) {
        if (s.destroyed || closed) break;
        s.write(p);
        sent++;
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => undefined);
    const done = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      s.destroy();
      resolve({ status: m ? Number(m[1]) : 0, head, body: rest.join('\r\n\r\n'), raw: text, closed, sent });
    };
    s.on('close', () => {
      closed = true;
      done();
    });
    const timer = setTimeout(done, ms);
  });
}

export interface TestCert {
  name: string;
  hostnames: string[];
  certPem: string;
  keyPem: string;
}

/** Self-signed certificates (one per name list), made by openssl in a temp dir that is removed. */
export function makeCerts(specs: { name: string; hostnames: string[] }[]): TestCert[] {
  const dir = mkdtempSync(join(tmpdir(), 'pn-l7-certs-'));
  try {
    return specs.map((s, i) => {
      const key = join(dir, `${i}.key`);
      const crt = join(dir, `${i}.crt`);
      const san = s.hostnames.map((h) => `DNS:${h}`).join(',');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${s.hostnames[0]}`, '-addext', `subjectAltName=${san}`, '-keyout', key, '-out', crt], { stdio: 'ignore' });
      return { name: s.name, hostnames: s.hostnames, certPem: readFileSync(crt, 'utf8'), keyPem: readFileSync(key, 'utf8') };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface EchoJson {
  path: string;
  host: string;
  method: string;
  proto: string;
  headers: Record<string, string[]>;
  pod: string;
}
