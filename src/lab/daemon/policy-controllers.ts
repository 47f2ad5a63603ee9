// NetworkPolicy enforcement for the lab, as Calico's Felix does it on every node: from the store's
// pods, namespaces and policies, each node gets its `inet podnet-policy` table (src/netpol), applied
// in one nft transaction, with flows that a change forbids cut from conntrack.
import type { V1Namespace, V1NetworkPolicy, V1Pod } from '../../api/types.js';
import { BUILTIN_NAMESPACES } from '../../api/kinds.js';
import { nthAddress, parseCIDR } from '../../api/cidr.js';
import type { ObjectStore } from '../../store/store.js';
import { PolicyApplier, planPolicy, worldFromObjects, type NodeInfo, type PolicyWorld } from '../../netpol/index.js';
import type { NodePlan } from '../network-plan.js';
import { StoreController, stderrLog, type Log } from './store-controller.js';

const WATCHED = new Set(['Pod', 'Namespace', 'NetworkPolicy']);

export interface PolicySyncRecord {
  node: string;
  mode: string;
  ms: number;
  cut: number;
  error?: string;
}

/** The policy world the lab's objects describe; shared with `podnet policy matrix|explain`. */
export function labPolicyWorld(objects: { pods: V1Pod[]; namespaces: V1Namespace[]; policies: V1NetworkPolicy[] }, nodes: NodeInfo[]): PolicyWorld {
  // Built-in namespaces and ones only pods mention exist too, labelled with their name as upstream.
  const known = new Set(objects.namespaces.map((n) => n.metadata?.name));
  const implied = new Set([...BUILTIN_NAMESPACES, ...objects.pods.map((p) => p.metadata?.namespace ?? 'default')]);
  const namespaces = [...objects.namespaces, ...[...implied].filter((n) => !known.has(n)).map((name) => ({ metadata: { name } }) as V1Namespace)];
  return worldFromObjects({ pods: objects.pods, namespaces, policies: objects.policies, nodes });
}

/** A node's own addresses: its underlay IPs and its bridge's gateway in each pod range (probes come from there). */
export function nodeInfo(node: Pick<NodePlan, 'name' | 'underlayIPs' | 'podCIDRs'> & Partial<Pick<NodePlan, 'overlayIPs'>>): NodeInfo {
  return {
    name: node.name, ips: [...node.underlayIPs, ...node.podCIDRs.map((c) => nthAddress(parseCIDR(c), 1))],
    // The vxlan device's address: the source of the node's traffic to other nodes' pods (ipBlocks see it).
    ...(node.overlayIPs?.length ? { overlayIPs: node.overlayIPs } : {}),
  };
}

export class PolicyControllers extends StoreController {
  private readonly appliers: Map<string, PolicyApplier>;
  readonly lastSync = new Map<string, PolicySyncRecord>();

  constructor(store: ObjectStore, private readonly nodes: NodePlan[], log: Log = stderrLog) {
    super(store, WATCHED, log, 'policy controllers');
    this.appliers = new Map(nodes.map((n) => [n.name, new PolicyApplier({ netns: n.netns })]));
  }

  world(): PolicyWorld {
    return labPolicyWorld({
      pods: this.store.list('Pod') as unknown as V1Pod[],
      namespaces: this.store.list('Namespace') as unknown as V1Namespace[],
      policies: this.store.list('NetworkPolicy') as unknown as V1NetworkPolicy[],
    }, this.nodes.map(nodeInfo));
  }

  protected async pass(): Promise<void> {
    const world = this.world();
    await Promise.all(this.nodes.map(async (node) => {
      const applier = this.appliers.get(node.name) as PolicyApplier;
      try {
        const r = await applier.sync(planPolicy({ ...world, node: { name: node.name, podCIDRs: node.podCIDRs } }), world);
        this.lastSync.set(node.name, { node: node.name, mode: r.mode, ms: r.ms, cut: r.cut });
      } catch (err) {
        this.lastSync.set(node.name, { node: node.name, mode: 'failed', ms: 0, cut: 0, error: (err as Error).message });
        this.log(`network policy ${node.name}: ${(err as Error).message}`);
      }
    }));
  }
}
