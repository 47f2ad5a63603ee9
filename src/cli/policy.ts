// `podnet policy matrix|explain` (predicted from the objects alone) and `podnet probe matrix`
// (measured with real connections, compared with the prediction).
import type { Command } from 'commander';
import type { Family } from '../api/cidr.js';
import type { ClusterConfig, V1EndpointSlice, V1Namespace, V1NetworkPolicy, V1Pod, V1Service } from '../api/types.js';
import { LabClient } from '../lab/daemon/client.js';
import { pickLab, requireRoot } from '../lab/daemon/launch.js';
import { labPolicyWorld, nodeInfo } from '../lab/daemon/policy-controllers.js';
import { classify } from '../lab/check.js';
import { overlayIPs } from '../lab/network-plan.js';
import { probeMatrices, type PortCase } from '../lab/reach-matrix.js';
import {
  compareMatrices, explain, matrix, matrixJSON, matrixRows, namespaceOf, parsePortProto, PolicyModel, renderMatrix, servicesFromV1, summarizeMatrix, summarizeMismatches,
  SUMMARY_ABOVE_PODS, type Matrix, type Mismatch, type PolicyWorld, type Protocol,
} from '../netpol/index.js';

const out = (s: string) => process.stdout.write(s);
const collect = (v: string, prev: string[]) => [...prev, v];

interface MatrixFlags {
  namespace: string[];
  port: string[];
  family: string;
  output?: string;
  name?: string;
  nodes?: boolean;
  hairpin?: boolean;
  summary?: boolean;
  full?: boolean;
}

/** A summary instead of the table: asked for, or by default on big labs (a 1,000-pod table is 2 MB). */
function summarize(o: MatrixFlags, pods: number): boolean {
  if (o.summary && o.full) throw new Error('--summary and --full: give one of them');
  return o.summary ?? (!o.full && pods > SUMMARY_ABOVE_PODS);
}

async function load(lab: string): Promise<{ world: PolicyWorld; pods: V1Pod[]; nodes: string[] }> {
  const client = new LabClient(lab);
  const [pods, namespaces, policies, services, slices, status] = await Promise.all([
    client.list('Pod'), client.list('Namespace'), client.list('NetworkPolicy'), client.list('Service'), client.list('EndpointSlice'), client.status(),
  ]);
  const world = labPolicyWorld({
    pods: pods as unknown as V1Pod[], namespaces: namespaces as unknown as V1Namespace[], policies: policies as unknown as V1NetworkPolicy[],
  }, status.nodes.map((n) => nodeInfo({ ...n, overlayIPs: overlayIPs((status.config as ClusterConfig).backend, n.podCIDRs) })));
  // Services only tell the model where a VIP leads (rules judge after DNAT), for explain and hairpin cells.
  world.services = servicesFromV1(services as unknown as V1Service[], slices as unknown as V1EndpointSlice[]);
  return { world, pods: pods as unknown as V1Pod[], nodes: status.nodes.map((n) => n.name) };
}

function cases(ports: string[]): PortCase[] {
  return (ports.length ? ports : ['80/TCP']).map((text) => {
    const { port, protocol } = parsePortProto(text);
    if (port === undefined) throw new Error(`--port ${text}: give a port such as 80/TCP`);
    return { port, protocol: protocol as Protocol };
  });
}

function family(text: string): Family {
  if (text !== '4' && text !== '6') throw new Error(`--family ${text}: must be 4 or 6`);
  return Number(text) as Family;
}

/** The pods of the asked namespaces (default: all but kube-system), sorted as the e2e tables are. */
function selectPods(pods: V1Pod[], namespaces: string[]): V1Pod[] {
  const id = (p: V1Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;
  return pods
    .filter((p) => (namespaces.length ? namespaces.includes(p.metadata?.namespace ?? '') : p.metadata?.namespace !== 'kube-system'))
    .filter((p) => p.status?.phase === 'Running' && (p.status.podIPs?.length ?? 0) > 0)
    .sort((a, b) => (id(a) < id(b) ? -1 : 1));
}

function title(m: Matrix): string {
  const hairpin = m.diagonal === 'hairpin' ? '; a pod to itself goes through its own Service VIP where it has one (hairpin)' : '';
  return `${m.port}/${m.protocol} (IPv${m.family}): rows reach columns, . allowed, X denied${hairpin}\n`;
}

function matrixOptions(cmd: Command): Command {
  return cmd
    .option('-n, --namespace <ns>', 'namespaces whose pods to include (repeatable; default all but kube-system)', collect, [])
    .option('--port <port/proto>', 'port and protocol, e.g. 80/TCP (repeatable; default 80/TCP)', collect, [])
    .option('--family <4|6>', 'address family', '4')
    .option('--nodes', 'add a row per node: the node\'s own traffic to the pods (kubelet probes)')
    .option('--hairpin', 'a pod\'s cell to itself goes through a Service VIP whose only endpoint is the pod (as upstream e2e probes)')
    .option('--summary', `counts per namespace pair (and mismatches by cause) instead of the table; default above ${SUMMARY_ABOVE_PODS} pods`)
    .option('--full', 'the whole table, however big the lab')
    .option('-o, --output <format>', 'json')
    .option('--name <name>', 'lab name');
}

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('network policy, predicted from the objects alone');
  matrixOptions(policy.command('matrix').description('who may reach whom, as the Kubernetes e2e truth tables'))
    .action(async (o: MatrixFlags) => {
      const { world, pods, nodes } = await load(pickLab(o.name));
      const model = new PolicyModel(world);
      const ids = selectPods(pods, o.namespace).map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
      const ms = cases(o.port).map((c) => matrix(model, { ...c, family: family(o.family), pods: ids, ...(o.nodes ? { nodes } : {}), hairpin: Boolean(o.hairpin) }));
      if (o.output === 'json') out(JSON.stringify(ms.map(matrixJSON), null, 2) + '\n');
      else if (summarize(o, ids.length)) out(ms.map((m) => title(m) + summarizeMatrix(m).join('\n') + '\n').join('\n'));
      else out(ms.map((m) => title(m) + renderMatrix(m)).join('\n'));
    });
  policy.command('explain')
    .description('which policies and rules allow or deny a flow, and why')
    .argument('<src>', 'NAMESPACE/POD, node/NAME or IP')
    .argument('<dst>', 'NAMESPACE/POD, or IP (a Service VIP is judged on its endpoints)')
    .argument('<port/proto>', 'e.g. 80/TCP')
    .option('--family <4|6>', 'address family', '4')
    .option('--name <name>', 'lab name')
    .action(async (src: string, dst: string, portProto: string, o: { family: string; name?: string }) => {
      const { world } = await load(pickLab(o.name));
      out(explain(world, src, dst, portProto, { family: family(o.family) }));
    });

  const probe = program.command('probe').description('measure with real connections');
  matrixOptions(probe.command('matrix').description('connect from every pod to every pod and compare with `policy matrix`'))
    .option('--timeout <ms>', 'per connection attempt', (v) => Number(v), 1000)
    .action(async (o: MatrixFlags & { timeout: number }) => {
      requireRoot('podnet probe matrix');
      const lab = pickLab(o.name);
      const { world, pods, nodes } = await load(lab);
      const selected = selectPods(pods, o.namespace);
      const fam = family(o.family);
      const model = new PolicyModel(world);
      const hairpin = (pod: string, c: PortCase) => {
        const info = model.index.pod(pod);
        return info ? model.hairpinTarget(info, c.port, c.protocol, fam) : undefined;
      };
      const measured = await probeMatrices(lab, selected, cases(o.port), {
        family: fam, timeoutMs: o.timeout, ...(o.nodes ? { nodes } : {}), ...(o.hairpin ? { hairpin } : {}),
      });
      const results = measured.map((m) => {
        const predicted = matrix(model, { port: m.port, protocol: m.protocol, family: fam, pods: m.pods, ...(o.nodes ? { nodes } : {}), hairpin: Boolean(o.hairpin) });
        return { measured: m, predicted, diff: compareMatrices(predicted, m) };
      });
      if (o.output === 'json') {
        out(JSON.stringify(results.map((r) => ({ measured: matrixJSON(r.measured), predicted: matrixJSON(r.predicted), mismatches: r.diff.mismatches })), null, 2) + '\n');
      } else if (summarize(o, selected.length)) {
        const nodeOf = new Map(pods.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p.spec?.nodeName ?? '?']));
        const node = (id: string) => (id.startsWith('node/') ? id.slice(5) : nodeOf.get(id) ?? '?');
        for (const r of results) {
          const rowIndex = new Map(matrixRows(r.measured).map((row, i) => [row, i]));
          const colIndex = new Map(r.measured.pods.map((p, j) => [p, j]));
          const error = (m: Mismatch) => r.measured.errors[rowIndex.get(m.from) ?? -1]?.[colIndex.get(m.to) ?? -1];
          out(title(r.measured) + summarizeMatrix(r.measured).join('\n') + '\n');
          if (r.diff.equal) out('matches the prediction\n\n');
          else {
            out(`differs from the prediction in ${r.diff.mismatches.length} cell(s):\n`);
            out(summarizeMismatches(r.diff.mismatches, {
              keys: {
                class: (m) => (m.actual ? 'reached' : classify(error(m) ?? '')),
                'namespace pair': (m) => `${namespaceOf(m.from)} -> ${namespaceOf(m.to)}`,
                'node pair': (m) => `${node(m.from)} -> ${node(m.to)}`,
              },
              detail: error,
            }).join('\n') + '\n\n');
          }
        }
      } else {
        for (const r of results) {
          out(title(r.measured) + renderMatrix(r.measured));
          if (r.diff.equal) out('matches the prediction\n\n');
          else {
            out(`differs from the prediction in ${r.diff.mismatches.length} cell(s) (X):\n${r.diff.text}`);
            for (const m of r.diff.mismatches) out(`  ${m.from} -> ${m.to}: predicted ${m.expected ? 'allowed' : 'denied'}, measured ${m.actual ? 'allowed' : 'denied'}\n`);
            out('\n');
          }
        }
      }
      if (results.some((r) => !r.diff.equal)) process.exitCode = 1;
    });
}
