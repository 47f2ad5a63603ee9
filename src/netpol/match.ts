// Matching one rule's peers and ports against a connection, with the reason in words: the lines
// `podnet policy explain` prints under each rule ("namespaceSelector ns=y did not match namespace x
// (labels ...)"). Pure functions of the world index.
import { contains, parseCIDR } from '../api/cidr.js';
import { endpointName, type Endpoint } from './endpoint.js';
import { formatLabels, formatPeer, formatPortSpec, formatSelector, type Peer, type PortSpec } from './policy.js';
import { podKey, type PodInfo } from './types.js';
import { familyOf, type WorldIndex } from './world.js';

export interface MatchResult {
  matched: boolean;
  lines: string[];
}

function ipOf(e: Endpoint): string | undefined {
  return e.ip;
}

function label(e: Endpoint): string {
  return e.kind === 'pod' ? podKey(e.pod) : endpointName(e);
}

export function explainPeer(index: WorldIndex, peers: Peer[] | undefined, field: 'from' | 'to', e: Endpoint): MatchResult {
  if (!peers) return { matched: true, lines: [`${field}: (none) = every ${field === 'from' ? 'source' : 'destination'}`] };
  const lines: string[] = [];
  let matched = false;
  for (const p of peers) {
    const r = matchPeer(index, p, e);
    lines.push(`${field}[${p.index}] ${formatPeer(p)}: ${r.why}`);
    matched ||= r.matched;
  }
  return { matched, lines };
}

function matchPeer(index: WorldIndex, p: Peer, e: Endpoint): { matched: boolean; why: string } {
  if (p.kind === 'ipBlock') {
    const ip = ipOf(e);
    if (!ip) return { matched: false, why: `${label(e)} has no address of this family` };
    const cidr = parseCIDR(p.cidr);
    if (cidr.family !== familyOf(ip)) return { matched: false, why: `${ip} is not an IPv${cidr.family} address` };
    if (!contains(cidr, ip)) return { matched: false, why: `${ip} is outside ${p.cidr}` };
    const hit = p.except.find((x) => contains(parseCIDR(x), ip));
    if (hit) return { matched: false, why: `${ip} is in except ${hit}` };
    return { matched: true, why: `${ip} is inside (matched)` };
  }
  if (e.kind !== 'pod') return { matched: false, why: `${label(e)} is not a pod` };
  const pod = e.pod;
  const who = podKey(pod);
  if (p.namespaceSelector) {
    const labels = index.namespaceLabels(pod.namespace);
    if (!index.matches(p.namespaceSelector, labels)) {
      return { matched: false, why: `namespaceSelector ${formatSelector(p.namespaceSelector)} did not match namespace ${pod.namespace} (labels ${formatLabels(labels)})` };
    }
  } else if (pod.namespace !== p.namespace) {
    return { matched: false, why: `without namespaceSelector only pods of namespace ${p.namespace} match; ${who} is in ${pod.namespace}` };
  }
  if (p.podSelector && !index.matches(p.podSelector, pod.labels)) {
    return { matched: false, why: `podSelector ${formatSelector(p.podSelector)} did not match ${who} (labels ${formatLabels(pod.labels)})` };
  }
  return { matched: true, why: `matched ${who}` };
}

/** Ports of one rule against `port/protocol` to `dstPod` (named ports resolve on the destination). */
export function explainPorts(ports: PortSpec[] | undefined, port: number | undefined, protocol: string, dstPod: PodInfo | undefined): MatchResult {
  if (!ports) return { matched: true, lines: ['ports: (none) = every port and protocol'] };
  const want = port === undefined ? protocol : `${port}/${protocol}`;
  const lines: string[] = [];
  let matched = false;
  for (const p of ports) {
    const r = matchPort(p, port, protocol, dstPod);
    lines.push(`ports[${p.index}] ${formatPortSpec(p)}: ${r.why}`);
    matched ||= r.matched;
  }
  if (!matched) lines.push(`no port of this rule matches ${want}`);
  return { matched, lines };
}

function matchPort(p: PortSpec, port: number | undefined, protocol: string, dstPod: PodInfo | undefined): { matched: boolean; why: string } {
  if (p.protocol !== protocol) return { matched: false, why: `protocol ${protocol} is not ${p.protocol}` };
  if (p.name === undefined && p.port === undefined) return { matched: true, why: 'matched (every port)' };
  if (port === undefined) return { matched: false, why: `${protocol} without a port` };
  if (p.name !== undefined) {
    if (!dstPod) return { matched: false, why: `the destination is not a pod, so named port ${p.name} means nothing` };
    const hits = dstPod.ports.filter((c) => c.name === p.name && c.protocol === p.protocol);
    if (hits.length === 0) return { matched: false, why: `${podKey(dstPod)} has no ${p.protocol} container port named ${p.name}` };
    const nums = hits.map((c) => c.port);
    return nums.includes(port)
      ? { matched: true, why: `matched (${p.name} is ${port} on ${podKey(dstPod)})` }
      : { matched: false, why: `${p.name} is ${nums.join(',')} on ${podKey(dstPod)}, not ${port}` };
  }
  const lo = p.port!;
  const hi = p.endPort ?? lo;
  if (port < lo || port > hi) return { matched: false, why: `${port} is not ${lo === hi ? lo : `in ${lo}-${hi}`}` };
  return { matched: true, why: 'matched' };
}
