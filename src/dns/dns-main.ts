// The DNS pod's program, podnet's stand-in for CoreDNS (the lab runs it as Deployment kube-system/
// coredns behind Service kube-dns):
//   node dist/src/dns/dns-main.js --api-socket /run/podnet/<lab>/api.sock [--domain cluster.local]
//     [--upstream IP[:PORT]]... [--port 53] [--ready-port 8181] [--health-port 8080] [--ttl 30] [--pods insecure]
//     [--bind IP]...
// Exit codes: 0 after SIGTERM/SIGINT, 2 for a bad command line, 1 when it cannot start.
import { DNS_USAGE, DnsArgsError, parseDnsArgs, type DnsArgs } from './args.js';
import { startDnsPod } from './server-pod.js';

const log = (line: string) => process.stdout.write(`${line}\n`);

let args: DnsArgs;
try {
  args = parseDnsArgs(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof DnsArgsError)) throw err;
  process.stderr.write(`dns-main: ${err.message}\n${DNS_USAGE}\n`);
  process.exit(2);
}

try {
  const pod = await startDnsPod({ args, log });
  const upstreams = args.upstreams.map((u) => `${u.host}:${u.port}`).join(', ') || 'none (other names get SERVFAIL)';
  log(`dns: serving ${args.domain} on port ${pod.port} (udp, tcp), ready :${pod.readyPort}/ready, health :${pod.healthPort}/health; upstreams ${upstreams}`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    pod.close().then(() => process.exit(0), (err: unknown) => {
      process.stderr.write(`dns-main: close: ${(err as Error).message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (err) {
  process.stderr.write(`dns-main: cannot start: ${(err as Error).message}\n`);
  process.exit(1);
}
