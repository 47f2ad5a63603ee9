// The reference model of NetworkPolicy (networking.k8s.io/v1): is a connection from SRC to DST on
// PORT/PROTO allowed, and why. It is what the compiled nftables ruleset must agree with (the property
// test checks it on random clusters) and what `podnet policy explain` and the matrix print.
// A connection is allowed when the source may send it (egress) and the destination may receive it
// (ingress); each side is open unless some policy selecting that pod isolates it in that direction,
// and then it needs one rule of one of those policies (the union) to match both peer and port.
import { parseIP, type Family } from '../api/cidr.js';
import type { CompiledPolicy, Direction } from './policy.js';
import { explainPeer, explainPorts } from './match.js';
import { podKey, type PodInfo, type PolicyWorld } from './types.js';
import { canonicalIP, familyOf, WorldIndex } from './world.js';

export type Endpoint =
  | { kind: 'pod'; pod: PodInfo; ip?: string }
  | { kind: 'node'; node: string; ip: string }
  | { kind: 'external'; ip: string };

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

export interface Verdict {
  allowed: boolean;
  src: string;
  dst: string;
  port?: number;
  protocol: string;
  egress: DirectionResult;
  ingress: DirectionResult;
}

export class NetpolQueryError extends Error {
  readonly code = 'ENETPOLQUERY';
}

export function endpointName(e: Endpoint): string {
  if (e.kind === 'pod') return e.ip ? `${podKey(e.pod)} (${e.ip})` : podKey(e.pod);
  return e.kind === 'node' ? `node ${e.node} (${e.ip})` : e.ip;
}

export class PolicyModel {
  readonly index: WorldIndex;

  constructor(world: PolicyWorld | WorldIndex) {
    this.index = world instanceof WorldIndex ? world : new WorldIndex(world);
  }

  /** `ns/name` of a pod, or an address (a pod's, a node's, or anything else). */
  endpoint(text: string, family?: Family): Endpoint {
    if (text.includes('/')) {
      const pod = this.index.pod(text);
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
    const node = this.index.nodeOfIP(ip);
    return node ? { kind: 'node', node, ip } : { kind: 'external', ip };
  }

  allowed(src: Endpoint | string, dst: Endpoint | string, port: number | undefined, protocol: string, family?: Family): Verdict {
    const fam = family ?? [src, dst].map((e) => (typeof e === 'string' ? (e.includes('/') ? undefined : familyOf(e)) : undefined)).find(Boolean);
    const s = typeof src === 'string' ? this.endpoint(src, fam) : src;
    const d = typeof dst === 'string' ? this.endpoint(dst, fam ?? (s.kind === 'pod' && s.ip ? familyOf(s.ip) : undefined)) : dst;
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
