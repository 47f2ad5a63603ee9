// The lab's control plane for Services: the EndpointSlice controller (as kube-controller-manager
// runs it) and one service proxy per node (as kube-proxy runs on every node), both fed by the
// store's watch. Every change is coalesced into one pass: slices first, so the proxies program
// rules from the slices that pass just wrote.
import type { ClusterConfig, KubeObject, V1EndpointSlice, V1Node, V1Pod, V1Service } from '../../api/types.js';
import type { ObjectStore } from '../../store/store.js';
import { computeEndpointSlices, reconcileSlices } from '../../services/endpointslices.js';
import { SliceMemo } from '../../services/slice-memo.js';
import { planProxy, ProxyPlanCache } from '../../services/proxy/plan.js';
import { ProxyApplier } from '../../services/proxy/apply.js';
import type { NodePlan } from '../network-plan.js';
import { StoreController, stderrLog, type Log } from './store-controller.js';

const WATCHED = new Set(['Service', 'EndpointSlice', 'Pod']);
/** Long enough to fold a burst of pod status updates into one pass, short next to the 1 s goal. */
const DEBOUNCE_MS = 5;

export interface SyncRecord {
  node: string;
  ms: number;
  full: boolean;
  error?: string;
}

export class ServiceControllers extends StoreController {
  private readonly appliers: Map<string, ProxyApplier>;
  private readonly sliceMemo = new SliceMemo();
  private readonly planCaches = new Map<string, ProxyPlanCache>();
  /** The last sync of each node, for `podnet status` and tests. */
  readonly lastSync = new Map<string, SyncRecord>();

  constructor(store: ObjectStore, private readonly config: ClusterConfig, private readonly nodes: NodePlan[], log: Log = stderrLog) {
    super(store, WATCHED, log, 'service controllers', DEBOUNCE_MS);
    this.appliers = new Map(nodes.map((n) => [n.name, new ProxyApplier(n.netns)]));
  }

  protected async pass(): Promise<void> {
    const services = this.store.list('Service') as unknown as V1Service[];
    const pods = this.store.list('Pod') as unknown as V1Pod[];
    const current = this.store.list('EndpointSlice') as unknown as V1EndpointSlice[];
    const nodes = this.store.list('Node') as unknown as V1Node[];
    const desired = computeEndpointSlices(services, pods, { nodes, memo: this.sliceMemo });
    const { apply, delete: remove } = reconcileSlices(current, desired, this.sliceMemo);
    // The slice writes re-trigger the watch; the next pass finds nothing to change and stops.
    for (const s of apply) this.store.apply(s as unknown as KubeObject);
    for (const s of remove) this.store.delete('EndpointSlice', s.metadata?.namespace, s.metadata?.name ?? '');
    if (apply.length || remove.length) this.work.settle();
    const endpointSlices = this.store.list('EndpointSlice') as unknown as V1EndpointSlice[];
    const nodeNames = this.nodes.map((n) => n.name);
    await Promise.all(this.nodes.map(async (node) => {
      let cache = this.planCaches.get(node.name);
      if (!cache) this.planCaches.set(node.name, cache = new ProxyPlanCache());
      const plan = planProxy({ node: { name: node.name, underlayIPs: node.underlayIPs }, nodes: nodeNames, config: this.config, services, endpointSlices }, cache);
      const applier = this.appliers.get(node.name) as ProxyApplier;
      try {
        const r = await applier.sync(plan);
        this.lastSync.set(node.name, { node: node.name, ms: r.ms, full: r.full });
      } catch (err) {
        this.lastSync.set(node.name, { node: node.name, ms: 0, full: false, error: (err as Error).message });
        this.log(`service proxy ${node.name}: ${(err as Error).message}`);
      }
    }));
  }
}
