// The sidecar process (image podnet.dev/sidecar), run in the pod's network namespace as uid 1337:
//   node dist/src/mesh/sidecar/sidecar-main.js --ca-socket /run/podnet/<lab>/mesh-ca.sock [--mode PERMISSIVE|STRICT]
// Its identity comes from the downward API (POD_NAMESPACE, SERVICE_ACCOUNT); TRUST_DOMAIN
// defaults to cluster.local. Logs are JSON lines on stdout.
import { spiffeId } from '../ca/spiffe.js';
import { IdentityClient } from './identity.js';
import { fetchPeers, requestCertificate } from './ca-client.js';
import { ContextCache } from './mtls.js';
import { startInbound, type PeerMode } from './server-inbound.js';
import { startOutbound } from './server-outbound.js';
import { startStatus } from './server-status.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const socket = arg('--ca-socket');
  const mode = (arg('--mode') ?? 'PERMISSIVE').toUpperCase() as PeerMode;
  const ns = process.env.POD_NAMESPACE;
  const sa = process.env.SERVICE_ACCOUNT || 'default';
  if (!socket || !ns || (mode !== 'PERMISSIVE' && mode !== 'STRICT')) {
    process.stderr.write('sidecar: needs --ca-socket PATH, POD_NAMESPACE in the environment, and --mode PERMISSIVE|STRICT\n');
    process.exit(2);
  }
  const id = spiffeId({ trustDomain: process.env.TRUST_DOMAIN || 'cluster.local', namespace: ns, serviceAccount: sa });
  const counters: Record<string, number> = {};
  const write = (e: object) => process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...e }) + '\n');
  const count = (dir: string) => (e: { outcome: string }) => {
    counters[`${dir}_${e.outcome}`] = (counters[`${dir}_${e.outcome}`] ?? 0) + 1;
    write({ dir, ...e });
  };
  const identity = new IdentityClient({
    spiffeId: id,
    issue: (csr) => requestCertificate(socket, csr),
    onChange: (c) => write({ event: 'certificate', notAfter: c.notAfter }),
  });
  let peers: Record<string, string> = {};
  const refreshPeers = async () => {
    try {
      peers = await fetchPeers(socket);
    } catch {
      // keep the last table; the next poll retries
    }
  };
  await Promise.all([identity.start(), refreshPeers()]);
  setInterval(() => void refreshPeers(), 1000);
  const contexts = new ContextCache();
  const current = () => identity.current();
  await startStatus(() => ({ ...identity.status(), mode, counters }));
  await startInbound({ identity: current, contexts, mode: () => mode, log: count('inbound') });
  await startOutbound({ identity: current, contexts, peerAt: (a) => peers[a], log: count('outbound') });
  process.stdout.write(JSON.stringify({ event: 'started', spiffeId: id, mode, status: identity.status() }) + '\n');
}

process.on('SIGTERM', () => process.exit(0));
main().catch((err: Error) => {
  process.stderr.write(`sidecar: ${err.message}\n`);
  process.exit(1);
});
