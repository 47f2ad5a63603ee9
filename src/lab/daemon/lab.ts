// The lab's control loop: the store holds the user's objects; reconcile() turns them into the
// desired pods (workloads expanded, pods scheduled) and makes the running pods match, creating and
// deleting sandboxes with bounded concurrency. Pod objects (with status) live in the same store so
// that later controllers (endpoints, proxy, DNS, policy) can watch them.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { ClusterConfig, KubeObject, Loaded, V1Node, V1Pod, V1Service } from '../../api/types.js';
import { ObjectStore } from '../../store/store.js';
import { validateObjects } from '../../api/validate.js';
import { defaultObjects } from '../../api/registry.js';
import { podnetKinds } from '../../kinds.js';
import { expandWorkloads } from '../../api/workloads.js';
import { schedule } from '../../api/schedule.js';
import { podCapacity } from '../../api/cluster.js';
import { canonicalJSON } from '../../api/util.js';
import { nodeConflist, type Conflist } from '../../cni/config.js';
import type { ContainerState } from '../../sys/supervisor.js';
import { planNetwork, type NetworkPlan, type NodePlan } from '../network-plan.js';
import { applyNetwork } from '../network-apply.js';
import { labDir, nodeDir, POD_BRIDGE } from '../names.js';
import type { BuiltinPaths } from '../images.js';
import { PodSandbox, type RuntimeContext } from './pod-runtime.js';
import { proberStarter, startAgent, type Agent } from './agents.js';
import { ReadinessManager } from '../readiness/manager.js';
import { podStatus } from './pod-status.js';
import { ServiceControllers } from './service-controllers.js';
import { PolicyControllers } from './policy-controllers.js';
import { admitServices } from '../../services/admission.js';
import { clusterDNSObjects } from '../cluster-dns.js';
import { clusterGatewayObjects } from '../cluster-gateway.js';
import { GatewayController } from './gateway-controller.js';
import { phase } from './phases.js';
import { LabMesh } from '../mesh-lab.js';

const POD_CONCURRENCY = 6;
/** How long start() keeps the cluster DNS objects for the first apply before applying them alone. */
const ADDON_WAIT_MS = 2000;
/** Pods whose namespaces are made in one batch (see PodSandbox.createNamespaces). */
const NAMESPACE_CHUNK = 50;
const WORKLOAD_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

export interface LabPaths {
  builtins: BuiltinPaths;
  cniBin: string;
  agentMain: string;
  /** The daemon's API socket, which the cluster DNS pods watch. */
  apiSocket: string;
}

export interface ApplyResult {
  kind: string;
  namespace?: string;
  name: string;
  action: string;
}

export class Lab {
  readonly store = new ObjectStore({ newUid: () => randomUUID(), now: () => new Date().toISOString() });
  readonly plan: NetworkPlan;
  private readonly sandboxes = new Map<string, PodSandbox>();
  private readonly containerStates = new Map<string, Map<string, ContainerState>>();
  private readonly podErrors = new Map<string, string>();
  private readonly agents: Agent[] = [];
  private readonly ctx: RuntimeContext;
  private queue: Promise<void> = Promise.resolve();
  readonly services: ServiceControllers;
  readonly policies: PolicyControllers;
  readonly readiness: ReadinessManager;
  readonly gateways: GatewayController;
  /** The kinds this lab validates and defaults (each component's, see src/kinds.ts). */
  private readonly kinds = podnetKinds();
  /** Mesh CA, injection and capture (src/lab/mesh-lab.ts). */
  readonly mesh: LabMesh;

  constructor(readonly config: ClusterConfig, private readonly paths: LabPaths) {
    this.plan = planNetwork(config);
    const conflists = new Map(this.plan.nodes.map((n) => [n.name, this.conflist(n)]));
    this.ctx = {
      lab: config.name,
      config,
      builtins: paths.builtins,
      cniPath: [paths.cniBin, '/usr/lib/cni'],
      conflistFor: (node) => conflists.get(node) as Conflist,
      cacheDirFor: (node) => `${nodeDir(config.name, node)}/cni/cache`,
    };
    this.services = new ServiceControllers(this.store, config, this.plan.nodes);
    this.policies = new PolicyControllers(this.store, this.plan.nodes);
    this.mesh = new LabMesh({ lab: config.name, leafLifetimeSec: Number(process.env.PODNET_MESH_CERT_TTL) || undefined }, this.store, () => this.sandboxes.values());
    this.gateways = new GatewayController(this.store, {
      tableDir: `${labDir(config.name)}/gateway`, apply: (o) => this.apply(o), delete: (o) => this.delete(o),
    });
    this.readiness = new ReadinessManager({
      startProber: proberStarter(config.name, this.plan.nodes),
      onChange: (key) => this.refreshStatus(key),
    });
  }

  private conflist(node: NodePlan): Conflist {
    return nodeConflist({
      name: 'podnet',
      bridge: POD_BRIDGE,
      mtu: node.podMTU,
      subnets: node.podCIDRs,
      dataDir: `${nodeDir(this.config.name, node.name)}/ipam`,
    });
  }

  /** Settles when start() has built the network and started the agents; apply and delete wait for it. */
  private started: Promise<void> = Promise.resolve();

  /**
   * Builds the lab's network and starts the node agents and probers. The daemon serves its API
   * meanwhile, so `up` sends its objects at once: they are validated and queued while this runs.
   */
  start(): Promise<void> {
    this.started = this.build();
    return this.started;
  }

  private async build(): Promise<void> {
    phase('start');
    await applyNetwork(this.plan, labDir(this.config.name));
    phase('network applied');
    await Promise.all(
      this.plan.nodes.map(async (node) => {
        const dir = nodeDir(this.config.name, node.name);
        mkdirSync(`${dir}/cni/net.d`, { recursive: true });
        writeFileSync(`${dir}/cni/net.d/10-podnet.conflist`, JSON.stringify(this.ctx.conflistFor(node.name), null, 2) + '\n');
        const [agent] = await Promise.all([startAgent(this.config.name, node, this.paths.agentMain), this.readiness.start([node.name])]);
        this.agents.push(agent);
      }),
    );
    phase('agents and probers ready');
    for (const node of this.plan.nodes) this.store.apply(nodeObject(node) as unknown as KubeObject);
    this.services.start();
    this.policies.start();
    // The cluster add-ons every cluster has: CoreDNS's place is taken by podnet's DNS server.
    // They go in with the first apply (what `up` sends next), so that one reconcile and one
    // data-plane sync serve both instead of two in a row; if no apply comes, on their own.
    // The gateway classes come along the same way.
    this.pendingAddons = [...clusterDNSObjects(this.config, this.paths.apiSocket), ...clusterGatewayObjects()];
    setTimeout(() => {
      if (this.pendingAddons) this.apply([]).catch((e: Error) => process.stderr.write(`cluster add-ons: ${e.message}\n`));
    }, ADDON_WAIT_MS).unref();
    this.gateways.start();
  }

  /** The cluster DNS objects until an apply has stored them. */
  private pendingAddons: Loaded[] | undefined;

  /** Serialises changes: one apply/delete/reconcile at a time, in arrival order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn);
    this.queue = next.then(() => undefined, () => undefined);
    return next;
  }

  apply(objects: Loaded[]): Promise<ApplyResult[]> {
    return this.serial(async () => {
      await this.started;
      const namespaces = new Set(this.store.list('Namespace').map((n) => n.metadata.name));
      const addons = this.pendingAddons ?? [];
      const written = [...addons, ...objects.filter((o) => o.object.kind !== 'Cluster')];
      validateObjects(written, namespaces, this.kinds);
      const userObjects = defaultObjects(written, this.kinds);
      // Admission as the API server does it: defaults and ClusterIP/NodePort/LB allocations for
      // the whole batch, or an error before anything is stored. ClusterIPs and NodePorts are random.
      const incoming = userObjects.filter((o) => o.object.kind === 'Service') as Loaded<V1Service & KubeObject>[];
      const admitted = incoming.length ? admitServices(incoming, this.store.list('Service') as unknown as V1Service[], this.config, Math.random) : [];
      const byKey = new Map(admitted.map((svc) => [`${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name}`, svc]));
      const results = userObjects.map(({ object }) => {
        const svc = object.kind === 'Service' ? byKey.get(`${object.metadata.namespace ?? 'default'}/${object.metadata.name}`) : undefined;
        const action = this.store.apply(withNamespaceLabel(svc ? (svc as unknown as KubeObject) : this.keepNodeName(object)));
        if (svc?.status) this.store.updateStatus('Service', svc.metadata?.namespace, svc.metadata?.name ?? '', svc.status);
        return { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name, action };
      });
      phase(`apply: ${results.length} objects stored`);
      if (addons.length) phase('cluster DNS stored');
      this.pendingAddons = undefined; // stored: a failure past here is the pods', not the objects'
      await this.reconcile();
      phase('apply: pods reconciled');
      await this.settled();
      phase('apply: data plane settled');
      return results.slice(addons.length); // the caller hears about its own objects
    });
  }

  delete(objects: Loaded[]): Promise<ApplyResult[]> {
    return this.serial(async () => {
      await this.started;
      const results = objects.filter((o) => o.object.kind !== 'Cluster').map(({ object }) => {
        const { kind, metadata } = object;
        const gone = this.store.delete(kind, metadata.namespace ?? '', metadata.name);
        return { kind, namespace: metadata.namespace, name: metadata.name, action: gone ? 'deleted' : 'not found' };
      });
      // Deleting a namespace deletes what is in it.
      for (const ns of objects.filter((o) => o.object.kind === 'Namespace')) {
        for (const kind of ['Pod', ...WORKLOAD_KINDS, 'Service', 'EndpointSlice', 'NetworkPolicy']) {
          for (const o of this.store.list(kind, ns.object.metadata.name)) this.store.delete(kind, ns.object.metadata.name, o.metadata.name);
        }
      }
      await this.reconcile();
      await this.settled();
      return results;
    });
  }

  /** User pods and workloads → desired pods; scheduled; running pods made to match. */
  private async reconcile(): Promise<void> {
    const sources = this.store.list('Pod').filter((p) => !isGenerated(p));
    const workloads = [...WORKLOAD_KINDS].flatMap((k) => this.store.list(k));
    const nodes = this.config.nodes;
    const desired = expandWorkloads([...sources, ...workloads], nodes).map((p) => this.mesh.admit(p));
    const existing = new Map<string, string>();
    for (const [key, sb] of this.sandboxes) existing.set(key, sb.node.name);
    const assignment = schedule(desired, nodes, podCapacity(this.config), existing);

    const want = new Map(desired.map((p) => [keyOf(p), p]));
    const remove = [...this.sandboxes.entries()].filter(([key, sb]) => {
      const d = want.get(key);
      return !d || canonicalJSON(specOf(d)) !== canonicalJSON(specOf(sb.pod));
    });
    // As upstream: a deleted pod is first marked terminating, so its endpoints leave the Services'
    // rules before its containers get SIGTERM.
    for (const [, sb] of remove) this.markTerminating(sb.namespace, sb.name);
    if (remove.length) await this.services.flush();
    await limit(remove.map(([key, sb]) => async () => {
      this.sandboxes.delete(key);
      this.containerStates.delete(key);
      this.readiness.untrack(key);
      await sb.destroy(graceOf(sb.pod));
      if (!want.has(key) || isGenerated(sb.pod)) this.store.delete('Pod', sb.namespace, sb.name);
    }));

    const create = [...want.entries()].filter(([key]) => !this.sandboxes.has(key));
    // Many new pods: the controllers wait for all of them rather than recomputing every node's
    // rules after each pod's status change (apply's settled() runs the one pass that counts).
    const holds = create.length > 1 ? [this.services.hold(), this.policies.hold()] : [];
    try {
      await this.createPods(create, assignment);
    } finally {
      for (const release of holds) release();
    }
  }

  private async createPods(create: [string, V1Pod][], assignment: Map<string, string>): Promise<void> {
    const sandboxes = create.map(([key, pod]) => this.newSandbox(key, pod, assignment));
    // Namespaces in chunks, the next chunk's made while this one's pods are wired and started.
    const chunks: PodSandbox[][] = [];
    for (let i = 0; i < sandboxes.length; i += NAMESPACE_CHUNK) chunks.push(sandboxes.slice(i, i + NAMESPACE_CHUNK));
    const prepare = (chunk: PodSandbox[] | undefined) =>
      chunk ? PodSandbox.createNamespaces(this.config.name, chunk).catch(() => undefined) : Promise.resolve(); // per-pod create() retries
    let prepared = prepare(chunks[0]);
    for (let i = 0; i < chunks.length; i++) {
      await prepared;
      prepared = prepare(chunks[i + 1]);
      await limit(chunks[i].map((sb) => () => this.startSandbox(sb)));
    }
    await prepared;
  }

  private newSandbox(key: string, pod: V1Pod, assignment: Map<string, string>): PodSandbox {
    const nodeName = assignment.get(key) ?? '';
    const node = this.plan.nodes.find((n) => n.name === nodeName);
    if (!node) throw new Error(`pod ${key}: no node ${nodeName}`);
    const scheduled: V1Pod = {
      ...pod,
      metadata: { ...pod.metadata, annotations: { ...pod.metadata?.annotations, ...(isGenerated(pod) ? { 'podnet.dev/generated': 'true' } : {}) } },
      spec: { ...pod.spec, containers: pod.spec?.containers ?? [], nodeName },
    };
    this.store.apply(scheduled as unknown as KubeObject);
    const stored = this.store.get('Pod', key.split('/')[0], key.split('/')[1]) as unknown as V1Pod;
    const sb = new PodSandbox(this.ctx, stored, node);
    this.sandboxes.set(key, sb);
    this.containerStates.set(key, new Map());
    this.refreshStatus(key);
    return sb;
  }

  private async startSandbox(sb: PodSandbox): Promise<void> {
    const key = `${sb.namespace}/${sb.name}`;
    try {
      await sb.create();
      await this.mesh.capture(sb);
      this.refreshStatus(key);
      sb.startContainers(this.podWithStatus(key) ?? sb.pod, (name, state) => {
        this.containerStates.get(key)?.set(name, state);
        this.readiness.containerChanged(sb, name, state);
        this.refreshStatus(key);
      });
    } catch (err) {
      this.podErrors.set(key, (err as Error).message);
      this.refreshStatus(key);
    }
  }

  /**
   * Waits until the data plane matches the store: slices, service rules and policy rules. So an
   * `apply` that returns has taken effect, which is what tests and CI scripts want to rely on.
   */
  private async settled(): Promise<void> {
    await Promise.all([this.services.flush(), this.policies.flush()]);
  }

  /** A re-applied pod keeps the node the scheduler gave it, as spec.nodeName is set once upstream. */
  private keepNodeName(obj: KubeObject): KubeObject {
    if (obj.kind !== 'Pod') return obj;
    const spec = (obj.spec ?? {}) as { nodeName?: string };
    const stored = this.store.get('Pod', obj.metadata.namespace ?? 'default', obj.metadata.name) as unknown as V1Pod | undefined;
    if (spec.nodeName || !stored?.spec?.nodeName) return obj;
    return { ...obj, spec: { ...spec, nodeName: stored.spec.nodeName } };
  }

  private markTerminating(namespace: string, name: string): void {
    const pod = this.store.get('Pod', namespace, name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    this.store.apply({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString() as unknown as Date } });
  }

  private podWithStatus(key: string): V1Pod | undefined {
    const [ns, name] = key.split('/');
    return this.store.get('Pod', ns, name) as unknown as V1Pod | undefined;
  }

  private refreshStatus(key: string): void {
    const sb = this.sandboxes.get(key);
    const pod = this.podWithStatus(key);
    if (!sb || !pod) return;
    const status = podStatus(pod, sb.node.underlayIPs, sb.ips, this.containerStates.get(key) ?? new Map(), this.podErrors.get(key), this.readiness.readiness(key));
    this.store.updateStatus('Pod', sb.namespace, sb.name, status);
  }

  list(kind: string, namespace?: string): KubeObject[] {
    return this.store.list(kind, namespace);
  }

  sandbox(namespace: string, name: string): PodSandbox | undefined {
    return this.sandboxes.get(`${namespace}/${name}`);
  }

  async shutdown(): Promise<void> {
    this.services.stop();
    this.policies.stop();
    this.gateways.stop();
    this.readiness.stop();
    await Promise.all([...this.sandboxes.values()].flatMap((sb) => [...sb.containers.values()].map((c) => c.stop(1000))));
    for (const a of this.agents) a.stop();
  }
}

function keyOf(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name}`;
}

function isGenerated(pod: { metadata?: { ownerReferences?: unknown[] } }): boolean {
  return (pod.metadata?.ownerReferences?.length ?? 0) > 0;
}

/** What needs a new sandbox when it changes; labels do not (they change in place, as upstream). */
function specOf(pod: V1Pod): unknown {
  const { nodeName: _n, ...rest } = pod.spec ?? { containers: [] };
  return { spec: rest };
}

function graceOf(pod: V1Pod): number {
  return Math.min(pod.spec?.terminationGracePeriodSeconds ?? 30, 5) * 1000;
}

function withNamespaceLabel(obj: KubeObject): KubeObject {
  if (obj.kind !== 'Namespace') return obj;
  // As upstream: every namespace carries its own name as a label, so selectors can match it.
  return { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name } } };
}

function nodeObject(node: NodePlan): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, labels: node.labels },
    spec: { podCIDR: node.podCIDRs[0], podCIDRs: node.podCIDRs },
    status: {
      addresses: [...node.underlayIPs.map((a) => ({ type: 'InternalIP', address: a })), { type: 'Hostname', address: node.name }],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'podnet lab node is ready' }],
      nodeInfo: {
        architecture: process.arch, bootID: '', containerRuntimeVersion: 'podnet://lab', kernelVersion: '', kubeProxyVersion: '',
        kubeletVersion: 'podnet', machineID: '', operatingSystem: 'linux', osImage: 'podnet lab node', systemUUID: '',
      },
    },
  };
}

async function limit(tasks: (() => Promise<void>)[]): Promise<void> {
  const errors: Error[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++];
      await task().catch((e: Error) => errors.push(e));
    }
  };
  await Promise.all(Array.from({ length: Math.min(POD_CONCURRENCY, tasks.length) }, worker));
  if (errors.length) throw errors[0];
}
