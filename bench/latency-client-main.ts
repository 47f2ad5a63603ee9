// Runs inside a pod's netns for the ClusterIP-hop bench: N sequential HTTP GETs, each on a fresh
// TCP connection (so every request pays connection set-up, where DNAT and conntrack do their work),
// and N more on one kept-alive connection. Prints the per-request latencies in ms as JSON.
import { Agent, request } from 'node:http';

function get(url: string, agent: Agent | false): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - t0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const [url, nText] = process.argv.slice(2);
  const n = Number(nText);
  for (let i = 0; i < 20; i++) await get(url, false); // warm up JIT and ARP/neighbour entries
  const fresh: number[] = [];
  for (let i = 0; i < n; i++) fresh.push(await get(url, false));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const kept: number[] = [];
  for (let i = 0; i < n; i++) kept.push(await get(url, agent));
  agent.destroy();
  process.stdout.write(JSON.stringify({ fresh, kept }) + '\n');
}

main().catch((e: Error) => {
  process.stderr.write(`latency-client: ${e.message}\n`);
  process.exit(1);
});
