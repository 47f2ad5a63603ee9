// Shared helpers for this folder's tests: raw HTTP/UDP clients on loopback, bounded by timeouts.
import dgram from 'node:dgram';
import http from 'node:http';

export interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** GET with the path sent verbatim (no URL normalisation), so `//x` reaches the server as is. */
export function get(port: number, path: string, host = '127.0.0.1'): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, agent: false, timeout: 8000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('test GET timed out')));
    req.on('error', reject);
  });
}

/** One datagram, one reply (or undefined after timeoutMs). */
export function udpAsk(port: number, msg: string, timeoutMs = 2000, host = '127.0.0.1'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const t = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(m.toString());
    });
    s.on('error', () => undefined);
    s.send(msg, port, host);
  });
}
