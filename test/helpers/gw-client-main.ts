// The gateway tests' client, run inside a lab pod's network namespace (`ip netns exec`), never in
// the host namespace. Prints one JSON line.
//   requests FILE       FILE: [{address, port, host, path, method, headers}]; each sent on a fresh
//                       connection; answers [{status, headers (repeated ones joined by ","), body} | {error}]
//   load URL HOST N P   N GETs, P at a time on keep-alive connections: {statuses, errors, bodies: {pod prefix: count}}
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';

interface Req { address: string; port: number; host: string; path: string; method: string; headers: Record<string, string> }
interface Answer { status: number; headers: Record<string, string>; body: string }

function send(r: Req, agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: r.address, port: r.port, path: r.path, method: r.method, headers: { ...r.headers, host: r.host }, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      const joined: Record<string, string> = {};
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        const k = res.rawHeaders[i].toLowerCase();
        joined[k] = k in joined ? `${joined[k]},${res.rawHeaders[i + 1]}` : res.rawHeaders[i + 1];
      }
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: joined, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'requests') {
    const reqs = JSON.parse(readFileSync(args[0], 'utf8')) as Req[];
    const out: (Answer | { error: string })[] = [];
    for (const r of reqs) out.push(await send(r).catch((e: Error) => ({ error: e.message })));
    process.stdout.write(JSON.stringify(out) + '\n');
    return;
  }
  if (mode === 'load') {
    const [url, host, nText, pText] = args;
    const u = new URL(url);
    const agent = new Agent({ keepAlive: true, maxSockets: Number(pText) });
    const statuses: Record<string, number> = {};
    const errors: Record<string, number> = {};
    const bodies: Record<string, number> = {};
    let next = 0;
    const n = Number(nText);
    const worker = async () => {
      while (next < n) {
        next++;
        try {
          const a = await send({ address: u.hostname, port: Number(u.port || 80), host, path: u.pathname, method: 'GET', headers: {} }, agent);
          statuses[a.status] = (statuses[a.status] ?? 0) + 1;
          const pod = a.status === 200 ? (JSON.parse(a.body) as { pod: string }).pod.replace(/-[^-]+-[^-]+$/, '') : `status ${a.status}`;
          bodies[pod] = (bodies[pod] ?? 0) + 1;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
          errors[code] = (errors[code] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Number(pText) }, worker));
    agent.destroy();
    process.stdout.write(JSON.stringify({ statuses, errors, bodies }) + '\n');
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

main().catch((e: Error) => {
  process.stderr.write(`gw-client: ${e.message}\n`);
  process.exit(1);
});
