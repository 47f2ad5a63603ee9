// The lab's mesh control plane: the mesh CA (one root per lab, served on a unix socket in the
// lab's directory), admission through injection, and the capture rules put in a meshed pod's
// namespace after CNI ADD and before any container starts (the lab's istio-init).
// The CA's identity proof: the calling process's network namespace is a pod's (SO_PEERCRED +
// nsfs inode), and that pod's namespace and serviceAccountName are the identity.
import type http from 'node:http';
import type { V1Namespace, V1Pod } from '../api/types.js';
import type { ObjectStore } from '../store/store.js';
import { parseCIDR, nthAddress } from '../api/cidr.js';
import { nftApply } from '../sys/exec.js';
import { netnsOfName, netnsOfPid } from '../sys/nsid.js';
import type { MeshCa } from '../mesh/ca/ca.js';
import { spiffeId } from '../mesh/ca/spiffe.js';
import { injectPod, isInjected } from '../mesh/inject.js';
import { captureConfig } from '../mesh/capture-config.js';
import { capturePlan } from '../mesh/capture.js';
import { labDir } from './names.js';

export interface MeshSandbox {
  readonly netns: string;
  readonly pod: V1Pod;
  readonly ips: string[];
  readonly node: { podCIDRs: string[] };
}

export interface LabMeshOptions {
  lab: string;
  trustDomain?: string;
  /** Workload certificate lifetime (PODNET_MESH_CERT_TTL in seconds for tests); default 24 h. */
  leafLifetimeSec?: number;
}

export function meshCaSocket(lab: string): string {
  return `${labDir(lab)}/mesh-ca.sock`;
}

export class LabMesh {
  private ca: MeshCa | undefined;
  private server: http.Server | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly opts: LabMeshOptions,
    private readonly store: ObjectStore,
    private readonly sandboxes: () => Iterable<MeshSandbox>,
  ) {}

  /**
   * The CA and its socket, made when the first meshed pod needs them (its capture runs before its
   * sidecar starts): a lab without meshed pods pays neither the root key nor loading the X.509 and
   * FFI modules (~0.2 s of the daemon's start here).
   */
  private start(): Promise<void> {
    this.starting ??= (async () => {
      const [{ MeshCa }, { startCaServer }] = await Promise.all([import('../mesh/ca/ca.js'), import('../mesh/ca/server.js')]);
      this.ca = await MeshCa.create({ trustDomain: this.opts.trustDomain, leafLifetimeSec: this.opts.leafLifetimeSec });
      this.server = await startCaServer(meshCaSocket(this.opts.lab), { ca: this.ca, identify: (pid) => this.identify(pid), peers: () => this.peers() });
    })();
    return this.starting;
  }

  stop(): void {
    this.server?.close();
  }

  /** Admission: the pod with its sidecar when its namespace is meshed. */
  admit(pod: V1Pod): V1Pod {
    const ns = this.store.get('Namespace', '', pod.metadata?.namespace ?? 'default') as unknown as V1Namespace | undefined;
    return injectPod(ns, pod, ['--ca-socket', meshCaSocket(this.opts.lab)]).pod;
  }

  /** The capture rules, in the pod's namespace before its containers start; throws on bad annotations. */
  async capture(sb: MeshSandbox): Promise<void> {
    if (!isInjected(sb.pod)) return;
    await this.start();
    // Kubelet probes come from the node's address on the pod bridge: the first of each pod CIDR.
    const probeSources = sb.node.podCIDRs.map((c) => nthAddress(parseCIDR(c), 1));
    await nftApply(capturePlan(captureConfig(sb.pod, probeSources)), { netns: sb.netns });
  }

  private identify(pid: number): { namespace: string; serviceAccount: string } | string {
    const inode = netnsOfPid(pid);
    if (inode === undefined) return `process ${pid}: no network namespace`;
    for (const sb of this.sandboxes()) {
      if (!isInjected(sb.pod) || netnsOfName(sb.netns) !== inode) continue;
      return { namespace: sb.pod.metadata?.namespace ?? 'default', serviceAccount: sb.pod.spec?.serviceAccountName || 'default' };
    }
    return `process ${pid} is not in a meshed pod's network namespace`;
  }

  private peers(): Record<string, string> {
    const out: Record<string, string> = {};
    const trustDomain = this.ca?.trustDomain ?? 'cluster.local';
    for (const sb of this.sandboxes()) {
      if (!isInjected(sb.pod)) continue;
      const id = spiffeId({ trustDomain, namespace: sb.pod.metadata?.namespace ?? 'default', serviceAccount: sb.pod.spec?.serviceAccountName || 'default' });
      for (const ip of sb.ips) out[ip] = id;
    }
    return out;
  }
}
