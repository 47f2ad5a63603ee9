// Runs inside a source pod's network namespace for `podnet probe matrix`: reads targets as JSON on
// stdin and tries each one as upstream's netpol e2e probes do (agnhost connect): TCP succeeds when
// the connection opens, UDP when any datagram comes back. Denied traffic is dropped, so every try
// is bounded by a timeout (one that a stalled prober does not misread: deadline.ts); a cap keeps the
// number in flight small.
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { deadline } from './deadline.js';
import type { ReachRequest, ReachResult, ReachTarget } from './types.js';

function tcp(t: ReachTarget, timeoutMs: number): Promise<Omit<ReachResult, 'ms'>> {
  return new Promise((resolve) => {
    const s = connect({ host: t.ip, port: t.port });
    let settled = false;
    const done = (ok: boolean, error?: string) => {
      if (settled) return;
      settled = true;
      cancel();
      s.destroy();
      resolve({ ...t, ok, error });
    };
    const cancel = deadline(timeoutMs, () => done(false, 'timeout'));
    s.on('connect', () => done(true));
    s.on('error', (e: NodeJS.ErrnoException) => done(false, e.code ?? e.message));
  });
}

function udp(t: ReachTarget, timeoutMs: number): Promise<Omit<ReachResult, 'ms'>> {
  return new Promise((resolve) => {
    const sock = createSocket(t.ip.includes(':') ? 'udp6' : 'udp4');
    let settled = false;
    const finish = (ok: boolean, error?: string) => {
      if (settled) return;
      settled = true;
      cancel();
      sock.close();
      resolve({ ...t, ok, error });
    };
    const cancel = deadline(timeoutMs, () => finish(false, 'timeout'));
    sock.on('message', () => finish(true));
    sock.on('error', (e: NodeJS.ErrnoException) => finish(false, e.code ?? e.message));
    // netexec and serve-hostname both answer `hostname`.
    sock.send('hostname', t.port, t.ip);
  });
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const req = JSON.parse(Buffer.concat(chunks).toString()) as ReachRequest;
  const results: ReachResult[] = new Array(req.targets.length);
  let next = 0;
  const worker = async () => {
    while (next < req.targets.length) {
      const i = next++;
      const t = req.targets[i];
      const started = performance.now();
      const r = await (t.protocol === 'UDP' ? udp(t, req.timeoutMs) : tcp(t, req.timeoutMs));
      results[i] = { ...r, ms: performance.now() - started };
    }
  };
  await Promise.all(Array.from({ length: Math.min(req.concurrency ?? 64, req.targets.length) }, worker));
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((e: Error) => {
  process.stderr.write(`reach: ${e.message}\n`);
  process.exit(1);
});
