// The reference model of NetworkPolicy (networking.k8s.io/v1): is a connection from SRC to DST on
// PORT/PROTO allowed, and why. It is what the compiled nftables ruleset must agree with (the property
// test checks it on random clusters) and what `podnet policy explain` and the matrix print.
// A connection is allowed when the source may send it (egress) and the destination may receive it
// (ingress); each side is open unless some policy selecting that pod isolates it in that direction,
// and then it needs one rule of one of those policies (the union) to match both peer and port.
import { parseIP, type Family } from '../api/cidr.js';
import type { CompiledPolicy, Direction } from './policy.js';
import { endpointName, serviceKey, type Endpoint } from './endpoint.js';
import { explainPeer, explainPorts } from './match.js';
import { podKey, type PodInfo, type PolicyWorld, type ServiceInfo } from './types.js';
import { canonicalIP, familyOf, WorldIndex } from './world.js';

export { endpointName, type Endpoint } from './endpoint.js';

export interface RuleResult {
  /** `ingress[0]` / `egress[1]`. */
  rule: string;
  allowed: boolean;
  peer: { matched: boolean; lines: string[] };
  ports: { matched: boolean; lines: string[] };
}

export interface PolicyResult {
  policy: string;
  allowed: boolean;
  rules: RuleResult[];
}

export interface DirectionResult {
  direction: Direction;
  allowed: boolean;
  /** One line: why this side allows or denies. */
  summary: string;
  /** Every policy that selects the pod on this side for this direction. */
  policies: PolicyResult[];
}

/** One endpoint behind a Service VIP, judged as the rules judge it: after DNAT. */
export interface BackendResult {
  endpoint: string;
  port: number;
  allowed: boolean;
  /** The endpoint is the source pod itself. */
  hairpin: boolean;
}

export interface Verdict {
  allowed: boolean;
  src: string;
  dst: string;
  port?: number;
  protocol: string;
  /** The destination was a Service VIP: its endpoints' verdicts (allowed only if every one is). */
  via?: { service: string; ip: string; backends: BackendResult[] };
  /** The shown egress/ingress are those of the first denied endpoint, else of the first one. */
  egress: DirectionResult;
  ingress: DirectionResult;
}

/**
 * Hairpin: a pod reaching itself through a Service VIP whose endpoint is the pod itself. The one
 * answer podnet gives, in the model and in the rules (rules.ts, hairpin sets), is: always allowed,
 * in both directions, whatever the policies. Why:
 * - kube-proxy masquerades hairpin traffic (iptables KUBE-MARK-MASQ when the source is the chosen
 *   endpoint; nftables mode alike, and podnet's proxy does the same), so the pod receives it from its
 *   node's address; the NetworkPolicy docs list blocking "access from their resident node" among the
 *   things policies cannot do, and podnet already allows a node's traffic to its pods.
 * - upstream's e2e netpol suite probes each pod through its own Service, so its diagonal cells are
 *   hairpin connections, and it expects them allowed under every policy (Reachability.AllowLoopback:
 *   "loopback logic follows no policy"; newer releases stop comparing the diagonal at all).
 * - Cilium skips policy for hairpin flows (bpf_lxc: `hairpin_flow |= ct_state->loopback`).
 * - A pod reaching itself by its own address never leaves its namespace and is allowed; the same
 *   conversation through a VIP should not get another answer.
 * (Calico's iptables data plane judges the DNATed packet before the masquerade, as pod to itself;
 * that is the behaviour podnet had, and the one that disagreed with its own matrix.)
 */
export const HAIRPIN_SUMMARY = 'hairpin: a pod reaching itself through a Service VIP is always allowed (masqueraded to come from its node, which policy never blocks)';

/** Where a pod reaches itself through a Service: one of its VIPs whose only endpoint is this pod at `port`. */
export interface HairpinTarget {
  service: string;
  ip: string;
  port: number;
}

export class NetpolQueryError extends Error {
  readonly code = 'ENETPOLQUERY';
}

export class PolicyModel {
  readonly index: WorldIndex;

  constructor(world: PolicyWorld | WorldIndex) {
    this.index = world instanceof WorldIndex ? world : new WorldIndex(world);
  }

  /** `ns/name` of a pod, `node/NAME`, or an address (a pod's, a Service's, a node's, or anything else). */
  endpoint(text: string, family?: Family): Endpoint {
    if (text.includes('/')) {
      const pod = this.index.pod(text);
      if (!pod && text.startsWith('node/')) return this.nodeEndpoint(text.slice(5), family ?? 4);
      if (!pod) throw new NetpolQueryError(`pod ${text} not found`);
      const ip = pod.ips.find((a) => family === undefined || familyOf(a) === family);
      return ip ? { kind: 'pod', pod, ip: canonicalIP(ip) } : { kind: 'pod', pod };
    }
    try {
      parseIP(text);
    } catch {
      throw new NetpolQueryError(`${JSON.stringify(text)} is neither NAMESPACE/POD nor an IP address`);
    }
    const ip = canonicalIP(text);
    const pod = this.index.podByIP(ip);
    if (pod) return { kind: 'pod', pod, ip };
    const service = this.index.serviceOfIP(ip);
    if (service) return { kind: 'service', service, ip };
    const node = this.index.nodeOfIP(ip);
    return node ? { kind: 'node', node, ip } : { kind: 'external', ip };
  }

  /**
   * A node as a source (policies see nodes only through ipBlocks), with the address its traffic
   * leaves with: toward a pod on another node, the overlay address where the backend has one
   * (vxlan), else its first address of the family.
   */
  nodeEndpoint(name: string, family: Family, toward?: Endpoint): Endpoint {
    const node = (this.index.world.nodes ?? []).find((n) => n.name === name);
    if (!node) throw new NetpolQueryError(`node ${name} not found`);
    const remote = toward?.kind === 'pod' && toward.pod.node !== undefined && toward.pod.node !== name;
    const overlay = remote ? node.overlayIPs?.find((a) => familyOf(a) === family) : undefined;
    const ip = overlay ?? node.ips.find((a) => familyOf(a) === family);
    if (!ip) throw new NetpolQueryError(`node ${name} has no IPv${family} address`);
    return { kind: 'node', node: name, ip: canonicalIP(ip) };
  }

  /** The VIP through which `pod` reaches itself on container port `port`, if a Service offers one. */
  hairpinTarget(pod: PodInfo, port: number, protocol: string, family: Family): HairpinTarget | undefined {
    const own = pod.ips.find((a) => familyOf(a) === family);
    if (!own) return undefined;
    const services = [...(this.index.world.services ?? [])].sort((a, b) => (serviceKey(a) < serviceKey(b) ? -1 : 1));
    for (const svc of services) {
      const ip = svc.ips.find((a) => familyOf(a) === family);
      if (!ip) continue;
      const sp = svc.ports.find((p) => p.protocol === protocol && p.endpoints.length > 0 &&
        p.endpoints.every((e) => canonicalIP(e.ip) === canonicalIP(own) && e.port === port));
      if (sp) return { service: serviceKey(svc), ip: canonicalIP(ip), port: sp.port };
    }
    return undefined;
  }

  allowed(src: Endpoint | string, dst: Endpoint | string, port: number | undefined, protocol: string, family?: Family): Verdict {
    const fam = family ?? [src, dst].map((e) => (typeof e === 'string' ? (e.includes('/') ? undefined : familyOf(e)) : undefined)).find(Boolean);
    const s = typeof src === 'string' ? this.endpoint(src, fam) : src;
    const d = typeof dst === 'string' ? this.endpoint(dst, fam ?? (s.kind === 'pod' && s.ip ? familyOf(s.ip) : undefined)) : dst;
    if (d.kind === 'service') return this.viaService(s, d.service, d.ip, port, protocol);
    const base = { src: endpointName(s), dst: endpointName(d), ...(port !== undefined ? { port } : {}), protocol };
    if (s.kind === 'pod' && d.kind === 'pod' && s.pod === d.pod) {
      // A pod reaching itself never leaves its network namespace (upstream leaves loopback undefined; issue 95879).
      const open = (direction: Direction): DirectionResult => ({ direction, allowed: true, summary: 'loopback: a pod reaching itself never leaves its network namespace', policies: [] });
      return { ...base, allowed: true, egress: open('Egress'), ingress: open('Ingress') };
    }
    const egress = this.side('Egress', s, d, port, protocol);
    const ingress = this.side('Ingress', d, s, port, protocol);
    return { ...base, allowed: egress.allowed && ingress.allowed, egress, ingress };
  }

  /**
   * Traffic to a VIP is what the rules see after the proxy's DNAT: traffic to one of its endpoints.
   * The proxy picks one per connection, so the VIP is allowed only if every endpoint is.
   */
  private viaService(s: Endpoint, svc: ServiceInfo, vip: string, port: number | undefined, protocol: string): Verdict {
    const base = { src: endpointName(s), dst: endpointName({ kind: 'service', service: svc, ip: vip }), ...(port !== undefined ? { port } : {}), protocol };
    const sp = svc.ports.find((p) => p.port === port && p.protocol === protocol);
    const closed = (why: string): Verdict => {
      const d = (direction: Direction, allowed: boolean): DirectionResult => ({ direction, allowed, summary: why, policies: [] });
      return { ...base, allowed: false, via: { service: serviceKey(svc), ip: vip, backends: [] }, egress: d('Egress', true), ingress: d('Ingress', false) };
    };
    if (!sp) return closed(`service ${serviceKey(svc)} has no port ${port ?? ''}/${protocol}: the proxy rejects it`);
    const family = familyOf(vip);
    const ends = sp.endpoints.filter((e) => familyOf(e.ip) === family);
    if (ends.length === 0) return closed(`service ${serviceKey(svc)} has no ready endpoint for ${port}/${protocol}: the proxy rejects it`);
    const judged = ends.map((e) => {
      const pod = this.index.podByIP(e.ip);
      const to: Endpoint = pod ? { kind: 'pod', pod, ip: canonicalIP(e.ip) } : { kind: 'external', ip: canonicalIP(e.ip) };
      const hairpin = s.kind === 'pod' && pod === s.pod;
      const v = hairpin ? this.hairpin(s, to, e.port, protocol) : this.allowed(s, to, e.port, protocol, family);
      return { v, backend: { endpoint: endpointName(to), port: e.port, allowed: v.allowed, hairpin } };
    });
    const shown = judged.find((j) => !j.v.allowed) ?? judged[0];
    return {
      ...base, allowed: judged.every((j) => j.v.allowed),
      via: { service: serviceKey(svc), ip: vip, backends: judged.map((j) => j.backend) },
      egress: shown.v.egress, ingress: shown.v.ingress,
    };
  }

  /** See HAIRPIN_SUMMARY's comment: open in both directions. */
  private hairpin(s: Endpoint, d: Endpoint, port: number, protocol: string): Verdict {
    const open = (direction: Direction): DirectionResult => ({ direction, allowed: true, summary: HAIRPIN_SUMMARY, policies: [] });
    return { src: endpointName(s), dst: endpointName(d), port, protocol, allowed: true, egress: open('Egress'), ingress: open('Ingress') };
  }

  /** One direction: `subject` is the pod whose policies apply, `peer` the other end. */
  private side(direction: Direction, subject: Endpoint, peer: Endpoint, port: number | undefined, protocol: string): DirectionResult {
    const dir = direction.toLowerCase();
    if (subject.kind !== 'pod') {
      return { direction, allowed: true, summary: `${endpointName(subject)} is not a pod: no ${dir} policy applies`, policies: [] };
    }
    const who = podKey(subject.pod);
    if (direction === 'Ingress' && peer.kind === 'node' && peer.node === subject.pod.node) {
      return { direction, allowed: true, summary: `traffic from ${who}'s own node is always allowed (probes)`, policies: [] };
    }
    const selecting = this.index.selecting(subject.pod, direction);
    if (selecting.length === 0) {
      return { direction, allowed: true, summary: `${who} is not isolated for ${dir}: no policy selects it with policyTypes ${direction}`, policies: [] };
    }
    // Named ports always name a container port of the destination.
    const dstPod = direction === 'Ingress' ? subject.pod : peer.kind === 'pod' ? peer.pod : undefined;
    const policies = selecting.map((p) => this.policyResult(p, direction, peer, port, protocol, dstPod));
    const winner = policies.find((p) => p.allowed);
    const rule = winner?.rules.find((r) => r.allowed);
    const n = policies.length;
    const summary = winner
      ? `allowed by ${winner.policy} ${rule!.rule}`
      : `${who} is isolated for ${dir} by ${n} ${n === 1 ? 'policy' : 'policies'} and no rule allows it`;
    return { direction, allowed: Boolean(winner), summary, policies };
  }

  private policyResult(p: CompiledPolicy, direction: Direction, peer: Endpoint, port: number | undefined, protocol: string, dstPod: PodInfo | undefined): PolicyResult {
    const dir = direction.toLowerCase();
    const rules = (direction === 'Ingress' ? p.ingress : p.egress) ?? [];
    const results = rules.map((r): RuleResult => {
      const peerRes = explainPeer(this.index, r.peers, direction === 'Ingress' ? 'from' : 'to', peer);
      const portRes = explainPorts(r.ports, port, protocol, dstPod);
      return { rule: `${dir}[${r.index}]`, allowed: peerRes.matched && portRes.matched, peer: peerRes, ports: portRes };
    });
    return { policy: p.key, allowed: results.some((r) => r.allowed), rules: results };
  }
}

/** One-shot form of PolicyModel#allowed. */
export function allowed(world: PolicyWorld, src: string, dst: string, port: number | undefined, protocol: string, family?: Family): Verdict {
  return new PolicyModel(world).allowed(src, dst, port, protocol, family);
}
