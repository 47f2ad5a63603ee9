// The podnet CLI: flag parsing and printing only; the work is done by the lab's programmatic API.
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import type { KubeObject, V1EndpointSlice, V1NetworkPolicy, V1Node, V1Pod, V1Service } from '../api/types.js';
import { labUp, labDown, loadManifests, pickLab, runningLabs, requireRoot } from '../lab/daemon/launch.js';
import { LabClient, type NodeStatus } from '../lab/daemon/client.js';
import { checkConnectivity, classify } from '../lab/check.js';
import { podNetns, podUtsFile, containerLog } from '../lab/names.js';
import { runInteractive } from '../sys/exec.js';
import { printFile } from '../sys/files.js';
import { asList, endpointSliceTable, networkPolicyTable, nodeTable, podTable, serviceTable } from './format.js';
import { registerPolicyCommands } from './policy.js';
import { gatewayClassTable, gatewayTable, httpRouteTable, ingressClassTable, ingressTable } from './format-gateway.js';
import { registerPortForward } from './port-forward.js';

const out = (s: string) => process.stdout.write(s);
// `podnet get pods -o json | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));
const collect = (v: string, prev: string[]) => [...prev, v];

function splitRef(ref: string): { namespace: string; name: string } {
  const [a, b] = ref.split('/');
  return b === undefined ? { namespace: 'default', name: a } : { namespace: a, name: b };
}

const OWNER_KINDS: Record<string, string> = {
  deploy: 'Deployment', deployment: 'Deployment', deployments: 'Deployment',
  sts: 'StatefulSet', statefulset: 'StatefulSet', statefulsets: 'StatefulSet',
  ds: 'DaemonSet', daemonset: 'DaemonSet', daemonsets: 'DaemonSet',
  rs: 'ReplicaSet', replicaset: 'ReplicaSet', replicasets: 'ReplicaSet',
};

/**
 * A pod by `NS/POD`, or as kubectl picks one for `deploy/NAME`: the first running pod the workload
 * owns (`NS/deploy/NAME`, or `deploy/NAME` with -n).
 */
async function findPod(client: LabClient, ref: string, container?: string, namespace = 'default'): Promise<V1Pod> {
  const parts = ref.split('/');
  const ownerKind = parts.length === 3 ? OWNER_KINDS[parts[1]] : parts.length === 2 ? OWNER_KINDS[parts[0]] : undefined;
  let pod: V1Pod | undefined;
  let what: string;
  if (ownerKind) {
    const ns = parts.length === 3 ? parts[0] : namespace;
    const name = parts[parts.length - 1];
    what = `${ownerKind} ${ns}/${name}`;
    const pods = (await client.list('Pod', ns)) as unknown as V1Pod[];
    pod = pods.filter((p) => ownedBy(p, ownerKind, name)).find((p) => p.status?.phase === 'Running');
  } else {
    const { namespace: ns, name } = parts.length === 1 ? { namespace, name: parts[0] } : splitRef(ref);
    what = `pod ${ns}/${name}`;
    pod = (await client.list('Pod', ns)).find((p) => p.metadata.name === name) as V1Pod | undefined;
  }
  if (!pod) throw new Error(`${what} ${ownerKind ? 'has no running pod' : 'not found'} in lab ${client.name}`);
  if (container && !pod.spec?.containers.some((c) => c.name === container)) {
    throw new Error(`${what} has no container ${container} (has: ${pod.spec?.containers.map((c) => c.name).join(', ')})`);
  }
  return pod;
}

/** Deployments own their pods through a ReplicaSet named `<deployment>-<hash>`. */
function ownedBy(pod: V1Pod, kind: string, name: string): boolean {
  return (pod.metadata?.ownerReferences ?? []).some((o) =>
    (o.kind === kind && o.name === name) || (kind === 'Deployment' && o.kind === 'ReplicaSet' && o.name.replace(/-[^-]+$/, '') === name));
}

const program = new Command('podnet')
  .description('Kubernetes networking, for real, on one machine: podnet labs, CNI, services, policy')
  .configureOutput({ outputError: (s, write) => write(s.split('\n')[0] + '\n') });

program.command('up')
  .description('create a lab from Kubernetes manifests and wait until its pods run')
  .option('-f, --filename <path>', 'manifest file or folder (repeatable)', collect, [])
  .option('--name <name>', 'lab name')
  .option('--nodes <n>', 'number of nodes', (v) => Number(v))
  .addOption(new Option('--backend <backend>', 'between nodes').choices(['vxlan', 'routed']))
  .addOption(new Option('--ip-family <family>', 'pod address families').choices(['ipv4', 'dual']))
  .option('--timeout <seconds>', 'how long to wait for pods', (v) => Number(v), 120)
  .action(async (o) => {
    const r = await labUp({ files: o.filename, name: o.name, nodes: o.nodes, backend: o.backend, ipFamily: o.ipFamily, timeoutMs: o.timeout * 1000 });
    for (const s of r.skipped) out(`skipped ${s.kind} ${s.name} (${s.source.file}): podnet does not handle this kind yet\n`);
    out(`lab ${r.config.name} is up in ${(r.elapsedMs / 1000).toFixed(1)}s: ${r.config.nodes.length} nodes, ${r.pods.length} pods, backend ${r.config.backend}, ${r.config.ipFamily}\n`);
    out(podTable(r.pods, { allNamespaces: true, wide: true }));
  });

for (const verb of ['apply', 'delete'] as const) {
  program.command(verb)
    .description(verb === 'apply' ? 'create or change objects in a running lab' : 'delete objects from a running lab')
    .option('-f, --filename <path>', 'manifest file or folder (repeatable)', collect, [])
    .option('--name <name>', 'lab name')
    .action(async (o) => {
      const { objects, skipped } = await loadManifests(o.filename);
      for (const s of skipped) out(`skipped ${s.kind} ${s.name} (${s.source.file}): podnet does not handle this kind yet\n`);
      const client = new LabClient(pickLab(o.name));
      const results = verb === 'apply' ? await client.apply(objects) : await client.delete(objects);
      for (const r of results) out(`${r.kind.toLowerCase()}/${r.name} ${r.action}\n`);
    });
}

const RESOURCES: Record<string, string> = {
  nodes: 'Node', node: 'Node', no: 'Node', pods: 'Pod', pod: 'Pod', po: 'Pod',
  services: 'Service', service: 'Service', svc: 'Service',
  endpointslices: 'EndpointSlice', endpointslice: 'EndpointSlice',
  networkpolicies: 'NetworkPolicy', networkpolicy: 'NetworkPolicy', netpol: 'NetworkPolicy',
  ingresses: 'Ingress', ingress: 'Ingress', ing: 'Ingress', ingressclasses: 'IngressClass', ingressclass: 'IngressClass',
  gatewayclasses: 'GatewayClass', gatewayclass: 'GatewayClass', gc: 'GatewayClass', gateways: 'Gateway', gateway: 'Gateway', gtw: 'Gateway',
  httproutes: 'HTTPRoute', httproute: 'HTTPRoute', referencegrants: 'ReferenceGrant', referencegrant: 'ReferenceGrant', refgrant: 'ReferenceGrant',
  secrets: 'Secret', secret: 'Secret',
};
const CLUSTER_SCOPED_RESOURCES = new Set(['Node', 'IngressClass', 'GatewayClass']);
const GATEWAY_TABLES: Record<string, (items: KubeObject[], opts: { allNamespaces: boolean }) => string> = {
  Ingress: ingressTable, IngressClass: ingressClassTable, GatewayClass: gatewayClassTable, Gateway: gatewayTable, HTTPRoute: httpRouteTable,
};

program.command('get')
  .description('list nodes, pods, services, endpointslices, networkpolicies, ingresses, ingressclasses, gatewayclasses, gateways or httproutes')
  .argument('<resource>', 'nodes | pods | svc | endpointslices | netpol | ingress | ingressclasses | gatewayclasses | gateways | httproutes')
  .option('-n, --namespace <ns>', 'namespace', 'default')
  .option('-A, --all-namespaces', 'all namespaces')
  .addOption(new Option('-o, --output <format>').choices(['wide', 'json', 'yaml']))
  .option('--name <name>', 'lab name')
  .action(async (resource: string, o) => {
    const client = new LabClient(pickLab(o.name));
    const kind = RESOURCES[resource.toLowerCase()];
    if (!kind) throw new Error(`unknown resource type "${resource}" (podnet get nodes|pods|svc|endpointslices|netpol|ingress|ingressclasses|gatewayclasses|gateways|httproutes)`);
    const items: KubeObject[] = await client.list(kind, !CLUSTER_SCOPED_RESOURCES.has(kind) && !o.allNamespaces ? o.namespace : undefined);
    if (o.output === "json" || o.output === "yaml") { out(asList(items, o.output)); return; }
    if (kind === 'Node') {
      const status = await client.status();
      const backend = (status.config as { backend: string }).backend;
      out(nodeTable(items as unknown as V1Node[], { wide: o.output === 'wide', backend }));
      return;
    }
    const opts = { allNamespaces: Boolean(o.allNamespaces), wide: o.output === 'wide' };
    if (kind === 'Service') out(serviceTable(items as unknown as V1Service[], opts));
    else if (kind === 'EndpointSlice') out(endpointSliceTable(items as unknown as V1EndpointSlice[], opts));
    else if (kind === 'Pod') out(podTable(items as unknown as V1Pod[], opts));
    else if (kind === 'NetworkPolicy') out(networkPolicyTable(items as unknown as V1NetworkPolicy[], opts));
    else if (GATEWAY_TABLES[kind]) out(GATEWAY_TABLES[kind](items, opts));
    else out(asList(items, 'yaml'));
  });

program.command('exec')
  .description("run a host program inside a pod's network namespace")
  .argument('<pod>', 'NAMESPACE/POD, or [NAMESPACE/]deploy/NAME for one of its running pods')
  .argument('<command...>', 'command and arguments (after --)')
  .option('-n, --namespace <ns>', 'namespace for a bare POD or deploy/NAME', 'default')
  .option('-c, --container <name>', 'container (all share the pod network)')
  .option('--name <name>', 'lab name')
  .action(async (ref: string, command: string[], o) => {
    requireRoot('podnet exec');
    const lab = pickLab(o.name);
    const pod = await findPod(new LabClient(lab), ref, o.container, o.namespace);
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    if (command[0] === '--') command = command.slice(1);
    const code = await runInteractive(['nsenter', `--uts=${podUtsFile(lab, ns, name)}`, '--', 'ip', 'netns', 'exec', podNetns(lab, ns, name), ...command]);
    process.exitCode = code;
  });

program.command('logs')
  .description("print a container's output")
  .argument('<pod>', 'NAMESPACE/POD, or [NAMESPACE/]deploy/NAME for one of its running pods')
  .option('-n, --namespace <ns>', 'namespace for a bare POD or deploy/NAME', 'default')
  .option('-c, --container <name>', 'container')
  .option('-f, --follow', 'keep printing new output')
  .option('--name <name>', 'lab name')
  .action(async (ref: string, o) => {
    const lab = pickLab(o.name);
    const pod = await findPod(new LabClient(lab), ref, o.container, o.namespace);
    const container = o.container ?? pod.spec?.containers[0].name ?? '';
    await printFile(containerLog(lab, pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '', container), Boolean(o.follow));
  });

program.command('check')
  .description('every netexec pod reaches every other over TCP and UDP on each pod IP, seen with its own pod IP')
  .option('--name <name>', 'lab name')
  .action(async (o) => {
    requireRoot('podnet check');
    const lab = pickLab(o.name);
    const pods = (await new LabClient(lab).list('Pod')) as unknown as V1Pod[];
    const r = await checkConnectivity(lab, pods);
    // Every failed pair with its class, then the counts, so a failure at scale can be read at a glance.
    for (const f of r.failures) out(`FAIL ${f.from} -> ${f.to} ${f.ip} ${f.protocol}: ${classify(f.problem)}: ${f.problem}\n`);
    for (const line of r.summary) out(`${line}\n`);
    out(`connectivity: ${r.passed}/${r.probes} probes passed between ${r.pods} pods, ${r.crossNode} of them across nodes (TCP and UDP, every pod IP, source pod IP preserved; median ${r.medianMs.toFixed(1)} ms)\n`);
    if (r.failures.length) process.exitCode = 1;
  });

registerPolicyCommands(program);
registerPortForward(program);

function syncLine(n: NodeStatus): string {
  const p = n.proxySync;
  const q = n.policySync;
  const proxy = p ? `  proxy ${p.error ? `FAILED: ${p.error}` : `${p.full ? 'full' : 'update'} ${p.ms.toFixed(0)} ms`}` : '';
  const policy = q ? `  policy ${q.error ? `FAILED: ${q.error}` : `${q.mode} ${q.ms.toFixed(0)} ms`}` : '';
  return proxy + policy;
}

program.command('status')
  .description('running labs')
  .option('--name <name>', 'lab name')
  .option('-o, --output <format>', 'yaml for the whole config')
  .action(async (o) => {
    const labs = o.name ? [o.name] : runningLabs();
    if (labs.length === 0) { out("no labs running\n"); return; }
    for (const lab of labs) {
      const client = new LabClient(lab);
      const s = await client.status();
      const pods = (await client.list('Pod')) as unknown as V1Pod[];
      const running = pods.filter((p) => p.status?.phase === 'Running').length;
      if (o.output === 'yaml') out(stringify(s));
      else out(`lab ${lab}: daemon pid ${s.pid}, ${s.nodes.length} nodes, ${running}/${pods.length} pods running\n` + s.nodes.map((n) => `  ${n.name}  netns ${n.netns}  underlay ${n.underlayIPs.join(',')}  pods ${n.podCIDRs.join(',')}  mtu ${n.podMTU}${syncLine(n)}\n`).join(''));
    }
  });

program.command('down')
  .description('remove everything a lab created')
  .option('--name <name>', 'lab name')
  .action(async (o) => {
    const lab = pickLab(o.name);
    const r = await labDown(lab);
    out(`lab ${lab} removed (${r.namespaces} network namespaces)\n`);
  });

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`podnet: ${err.message.split('\n')[0]}\n`);
  process.exit(1);
});
