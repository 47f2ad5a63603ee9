// Entry point of the node agent: `ip netns exec <node> node dist/src/cni/agent-main.js`.
// Prints "ready" on stdout once listening; logs go to stderr.
import { startAgent } from './agent/server.js';

const log = (line: string) => process.stderr.write(`${new Date().toISOString()} podnet-cni-agent[${process.pid}] ${line}\n`);

try {
  const server = await startAgent({ log });
  process.stdout.write('ready\n');
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (e) {
  log(`cannot listen on @podnet-cni: ${(e as Error).message}`);
  process.exit(1);
}
