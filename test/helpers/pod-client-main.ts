// A small client that tests run inside a pod's (or node's) network namespace with `ip netns exec`:
// many requests on fresh connections (so the proxy picks an endpoint for each), UDP exchanges, and
// a bare connect that tells refused from timed out. Prints one JSON line.
//   http URL N          GET URL N times, one connection each; counts answers by body
//   udp HOST PORT N MSG send MSG N times from fresh sockets; counts answers by body
//   connect HOST PORT   one TCP connect: {"result":"ok"|"refused"|"timeout"|..., "ms"}
import { request } from 'node:http';
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';

type Counts = Record<string, number>;

function httpOnce(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function udpOnce(host: string, port: number, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => { sock.close(); reject(new Error('timeout')); }, 2000);
    sock.on('message', (m) => { clearTimeout(timer); sock.close(); resolve(m.toString().trim()); });
    sock.on('error', (e) => { clearTimeout(timer); sock.close(); reject(e); });
    sock.send(msg, port, host);
  });
}

async function many(n: number, once: () => Promise<string>, parallel = 8): Promise<{ counts: Counts; errors: Counts }> {
  const counts: Counts = {};
  const errors: Counts = {};
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      try {
        const body = await once();
        counts[body] = (counts[body] ?? 0) + 1;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        errors[code] = (errors[code] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, n) }, worker));
  return { counts, errors };
}

function connectOnce(host: string, port: number): Promise<{ result: string; ms: number }> {
  const start = performance.now();
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 3000 });
    const done = (result: string) => { s.destroy(); resolve({ result, ms: Math.round(performance.now() - start) }); };
    s.on('connect', () => done('ok'));
    s.on('timeout', () => done('timeout'));
    s.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'refused' : e.code ?? e.message));
  });
}

async function main(): Promise<void> {
  const [mode, ...a] = process.argv.slice(2);
  let out: unknown;
  if (mode === 'http') out = await many(Number(a[1]), () => httpOnce(a[0]));
  else if (mode === 'udp') out = await many(Number(a[2]), () => udpOnce(a[0], Number(a[1]), a[3] ?? 'hostname'));
  else if (mode === 'connect') out = await connectOnce(a[0], Number(a[1]));
  else throw new Error(`unknown mode ${mode}`);
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e: Error) => {
  process.stderr.write(`pod-client: ${e.message}\n`);
  process.exit(1);
});
