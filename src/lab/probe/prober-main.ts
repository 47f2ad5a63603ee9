// Runs inside a source pod's network namespace (`ip netns exec <pod> node prober-main.js`): reads
// targets as JSON on stdin, asks each one's netexec who is calling (HTTP /clientip over TCP, and the
// `clientip` datagram over UDP), and prints what came back. Bounded: a timeout per probe, a cap on
// probes in flight.
import { deadline } from './deadline.js';
import { request } from 'node:http';
import { createSocket } from 'node:dgram';
import type { ProbeRequest, ProbeResult, ProbeTarget } from './types.js';

function tcp(t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<ProbeResult, 'target' | 'protocol' | 'ms' | 'ip'>) => {
      if (settled) return;
      settled = true;
      cancel();
      resolve({ target: t.id, ip: t.ip, protocol: 'TCP', ms: Number(process.hrtime.bigint() - started) / 1e6, ...r });
    };
    const req = request({ host: t.ip, port: t.port, path: '/clientip', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => done({ ok: res.statusCode === 200, seen: peerIP(body.trim()) }));
    });
    const cancel = deadline(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => done({ ok: false, error: e.message }));
    req.end();
  });
}

function udp(t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const sock = createSocket(t.ip.includes(':') ? 'udp6' : 'udp4');
    let settled = false;
    const finish = (r: Omit<ProbeResult, 'target' | 'protocol' | 'ms' | 'ip'>) => {
      if (settled) return;
      settled = true;
      cancel();
      sock.close();
      resolve({ target: t.id, ip: t.ip, protocol: 'UDP', ms: Number(process.hrtime.bigint() - started) / 1e6, ...r });
    };
    const cancel = deadline(timeoutMs, () => finish({ ok: false, error: 'timeout' }));
    sock.on('message', (m) => finish({ ok: true, seen: peerIP(m.toString().trim()) }));
    sock.on('error', (e) => finish({ ok: false, error: e.message }));
    sock.send('clientip', t.udpPort, t.ip);
  });
}

/** netexec answers `ip:port` (IPv6 as `[ip]:port` or `ip:port`); keep the address. */
function peerIP(text: string): string {
  const bracket = /^\[(.+)\]:\d+$/.exec(text);
  if (bracket) return bracket[1];
  const i = text.lastIndexOf(':');
  return i > 0 ? text.slice(0, i).replace(/^::ffff:/, '') : text;
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const req = JSON.parse(Buffer.concat(chunks).toString()) as ProbeRequest;
  const jobs: (() => Promise<ProbeResult>)[] = [];
  for (const t of req.targets) {
    if (t.port) jobs.push(() => tcp(t, req.timeoutMs));
    if (t.udpPort) jobs.push(() => udp(t, req.timeoutMs));
  }
  const results: ProbeResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) results.push(await jobs[next++]());
  };
  await Promise.all(Array.from({ length: Math.min(req.concurrency ?? 16, jobs.length) }, worker));
  process.stdout.write(JSON.stringify(results) + '\n');
}

void main();
