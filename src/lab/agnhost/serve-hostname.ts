// agnhost serve-hostname: answers every HTTP request, TCP connection or UDP datagram with the
// hostname (the pod name). Follows upstream test/images/agnhost/serve-hostname/serve_hostname.go.
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { goAddr, goLog, getHostname } from './common.js';
import type { FlagSpecs } from './flags.js';

export const serveHostnameFlags: FlagSpecs = {
  tcp: { kind: 'bool', default: false, usage: 'Serve raw over TCP.' },
  udp: { kind: 'bool', default: false, usage: 'Serve raw over UDP.' },
  http: { kind: 'bool', default: true, usage: 'Serve HTTP.' },
  close: { kind: 'bool', default: false, usage: 'Close connection per each HTTP request.' },
  port: { kind: 'int', default: 9376, usage: 'Port number.' },
};

/** Upstream keeps serving this long after SIGTERM ("Awaiting pod deletion") before exiting 0. */
export const serveAfterSigtermMs = 60_000;

export interface ServeHostnameOptions {
  tcp: boolean;
  udp: boolean;
  http: boolean;
  close: boolean;
  port: number;
  /** undefined means all addresses, dual-stack. */
  bindHost?: string;
}

export interface ServeHostnameHandle {
  tcpPort?: number;
  udpPort?: number;
  httpPort?: number;
  close(): Promise<void>;
}

/** Upstream refuses HTTP together with raw TCP/UDP (they would share the port). */
export function modeConflict(o: Pick<ServeHostnameOptions, 'tcp' | 'udp' | 'http'>): string | undefined {
  return o.http && (o.tcp || o.udp) ? "Can't server TCP/UDP mode and HTTP mode at the same time" : undefined;
}

function listen(server: net.Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function bindUDP(port: number, host: string | undefined): Promise<dgram.Socket> {
  const attempt = (type: 'udp4' | 'udp6', h: string): Promise<dgram.Socket> =>
    new Promise((resolve, reject) => {
      const s = dgram.createSocket({ type, ipv6Only: false });
      s.once('error', (e) => {
        s.close();
        reject(e);
      });
      s.bind(port, h, () => {
        s.removeAllListeners('error');
        resolve(s);
      });
    });
  if (host !== undefined) return attempt(net.isIP(host) === 6 ? 'udp6' : 'udp4', host);
  // Go's ":port" is dual-stack `::`; fall back to IPv4 where the netns has IPv6 disabled.
  return attempt('udp6', '::').catch(() => attempt('udp4', '0.0.0.0'));
}

export async function startServeHostname(o: ServeHostnameOptions): Promise<ServeHostnameHandle> {
  const conflict = modeConflict(o);
  if (conflict !== undefined) throw new Error(conflict);
  const hostname = getHostname();
  const closers: Array<() => Promise<void>> = [];
  const handle: ServeHostnameHandle = {
    close: async () => {
      for (const c of closers) await c();
    },
  };
  try {
    if (o.tcp) {
      const server = net.createServer((conn) => {
        goLog(`TCP request from ${goAddr(conn.remoteAddress, conn.remotePort)}`);
        conn.on('error', () => undefined); // a client reset must not kill the server
        conn.end(hostname);
      });
      handle.tcpPort = await listen(server, o.port, o.bindHost);
      closers.push(() => new Promise((r) => server.close(() => r())));
    }
    if (o.udp) {
      const sock = await bindUDP(o.port, o.bindHost);
      sock.on('message', (_msg, rinfo) => {
        goLog(`UDP request from ${goAddr(rinfo.address, rinfo.port)}`);
        sock.send(hostname, rinfo.port, rinfo.address);
      });
      handle.udpPort = sock.address().port;
      closers.push(() => new Promise((r) => sock.close(() => r())));
    }
    if (o.http) {
      const server = http.createServer((req, res) => {
        goLog(`HTTP request from ${goAddr(req.socket.remoteAddress, req.socket.remotePort)}`);
        const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
        if (o.close) headers['Connection'] = 'close'; // force one request per connection
        res.writeHead(200, headers);
        res.end(hostname);
      });
      handle.httpPort = await listen(server, o.port, o.bindHost);
      closers.push(() => {
        server.closeAllConnections();
        return new Promise((r) => server.close(() => r()));
      });
    }
  } catch (e) {
    await handle.close();
    throw e;
  }
  goLog(`Serving on port ${handle.httpPort ?? handle.tcpPort ?? handle.udpPort ?? o.port}.`);
  return handle;
}
