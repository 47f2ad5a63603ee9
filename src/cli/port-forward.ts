// `podnet port-forward [-n NS] svc/NAME|pod/NAME [LOCAL:]REMOTE`, kubectl's convention: for a pod,
// REMOTE is a port in the pod; for a Service, REMOTE is a Service port (number or name), forwarded
// to its target port on one ready endpoint pod, as kubectl picks a pod behind the Service. The
// connection is made from inside that pod's network namespace to its localhost, as the kubelet's
// port-forward does; the listener is 127.0.0.1 only.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { V1EndpointSlice, V1Service } from '../api/types.js';
import { LabClient } from '../lab/daemon/client.js';
import { pickLab, requireRoot } from '../lab/daemon/launch.js';
import { podNetns } from '../lab/names.js';
import { startPortForward } from '../sys/port-forward.js';

const here = dirname(fileURLToPath(import.meta.url));
const HELPER = resolve(here, '../lab/port-forward-main.js');

export interface ForwardTarget {
  namespace: string;
  pod: string;
  port: number;
}

/** Parses `[LOCAL:]REMOTE` (kubectl also takes `:REMOTE` for a random local port). */
export function parsePorts(spec: string): { local: number; remote: string } {
  const parts = spec.split(':');
  const remote = parts[parts.length - 1];
  if (parts.length > 2 || !/^[\w-]+$/.test(remote) || (parts.length === 2 && !/^\d*$/.test(parts[0]))) {
    throw new Error(`port ${JSON.stringify(spec)}: expected [LOCAL:]REMOTE, e.g. 8080:80`);
  }
  // Without LOCAL, kubectl listens on the same port number (a name gets a free port).
  const local = parts.length === 2 ? (parts[0] === '' ? 0 : Number(parts[0])) : /^\d+$/.test(remote) ? Number(remote) : 0;
  if (!Number.isInteger(local) || local < 0 || local > 65535) throw new Error(`port ${JSON.stringify(spec)}: local port must be 0-65535`);
  return { local, remote };
}

/** The pod and pod port behind `svc/NAME` port `remote` (a Service port number or name), from its EndpointSlices. */
export function serviceTarget(svc: V1Service, slices: V1EndpointSlice[], remote: string): ForwardTarget {
  const ns = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  const sp = (svc.spec?.ports ?? []).find((p) => String(p.port) === remote || p.name === remote);
  if (!sp) throw new Error(`Service ${ns}/${name} has no port ${remote}`);
  for (const s of slices.filter((x) => x.metadata?.labels?.['kubernetes.io/service-name'] === name)) {
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === (sp.name ?? ''))?.port;
    const ep = (s.endpoints ?? []).find((e) => e.conditions?.ready !== false && e.targetRef?.kind === 'Pod');
    if (port && ep?.targetRef?.name) return { namespace: ns, pod: ep.targetRef.name, port };
  }
  throw new Error(`Service ${ns}/${name} has no ready endpoint pod for port ${remote}`);
}

export function registerPortForward(program: Command): void {
  program.command('port-forward')
    .description('forward 127.0.0.1:LOCAL to a port of a pod, or of a Service through one of its pods')
    .argument('<target>', 'svc/NAME or pod/NAME (or a bare pod name)')
    .argument('<ports>', '[LOCAL:]REMOTE')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--name <name>', 'lab name')
    .action(async (ref: string, ports: string, o) => {
      requireRoot('podnet port-forward');
      const lab = pickLab(o.name);
      const client = new LabClient(lab);
      const { local, remote } = parsePorts(ports);
      const [type, name] = ref.includes('/') ? ref.split('/', 2) : ['pod', ref];
      let target: ForwardTarget;
      if (['svc', 'service', 'services'].includes(type)) {
        const svc = (await client.list('Service', o.namespace)).find((s) => s.metadata.name === name) as V1Service | undefined;
        if (!svc) throw new Error(`Service ${o.namespace}/${name} not found in lab ${lab}`);
        target = serviceTarget(svc, (await client.list('EndpointSlice', o.namespace)) as unknown as V1EndpointSlice[], remote);
      } else if (['pod', 'pods', 'po'].includes(type)) {
        if (!(await client.list('Pod', o.namespace)).some((p) => p.metadata.name === name)) throw new Error(`pod ${o.namespace}/${name} not found in lab ${lab}`);
        if (!/^\d+$/.test(remote)) throw new Error(`pod port ${remote}: give a number`);
        target = { namespace: o.namespace, pod: name, port: Number(remote) };
      } else {
        throw new Error(`${ref}: expected svc/NAME or pod/NAME`);
      }
      const fwd = await startPortForward({
        netns: podNetns(lab, target.namespace, target.pod), targetHost: '127.0.0.1', targetPort: target.port, localPort: local,
        helper: [process.execPath, HELPER], onError: (m) => process.stderr.write(`podnet port-forward: ${m}\n`),
      });
      process.stdout.write(`Forwarding from 127.0.0.1:${fwd.localPort} -> ${target.port}\n`);
      const stop = () => void fwd.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
