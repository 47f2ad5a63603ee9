// A virtual packet through a planned ruleset, reading the rule *text* nft will load (as kube-proxy's
// nftablesTracer does), so tests assert behaviour rather than strings: "10.244.1.5 → 10.244.2.7:80/tcp
// is dropped by in_xxx after pol-in_x_deny-all found nothing". It understands exactly the statements
// the compiler emits and throws on anything else, so a new statement cannot silently match nothing.
import { contains, parseCIDR, parseIP } from '../api/cidr.js';
import type { PolicyPlan } from './plan-types.js';
import { canonicalIP, familyOf } from './world.js';

export interface Packet {
  /** Which hook the packet passes on this node: forwarded, delivered to the node, or sent by it. */
  hook: 'forward' | 'input' | 'output';
  src: string;
  dst: string;
  /** TCP, UDP, SCTP or anything else (ICMP): only the first three have ports. */
  protocol: string;
  dport?: number;
  ct?: 'new' | 'established' | 'related' | 'invalid' | 'untracked';
  /** ICMPv6 message type by nft's name (`nd-neighbor-solicit`), for link-local control traffic. */
  icmpv6Type?: string;
  /** This node's own addresses (`fib saddr type local`). */
  local?: string[];
  /** The proxy DNATed the connection (`ct status dnat`): it was addressed to a Service VIP. */
  dnat?: boolean;
}

export interface TraceResult {
  verdict: 'accept' | 'drop';
  /** `chain: rule` for every rule that matched, in order. */
  steps: string[];
}

type Outcome = 'accept' | 'drop' | 'return';
const lookup = new WeakMap<object, Set<string>>();

export function tracePlan(plan: PolicyPlan, pkt: Packet): TraceResult {
  const steps: string[] = [];
  const bases = Object.entries(plan.chains)
    .map(([name, c]) => ({ name, hook: c.hook ? parseHook(c.hook) : undefined }))
    .filter((b) => b.hook?.hook === pkt.hook)
    .sort((a, b) => a.hook!.priority - b.hook!.priority);
  const proto = pkt.protocol.toLowerCase();
  const fam = familyOf(pkt.src);

  const inSet = (name: string, key: string): boolean => {
    const set = plan.sets[name];
    if (!set) throw new Error(`trace: rule uses unknown set @${name}`);
    if (set.interval) return set.elements.some((e) => inInterval(e, key));
    let members = lookup.get(set);
    if (!members) lookup.set(set, (members = new Set(set.elements)));
    return members.has(key);
  };

  const matches = (cond: string): boolean => {
    let m: RegExpExecArray | null;
    if ((m = /^ct state ([a-z,]+)$/.exec(cond))) return m[1].split(',').includes(pkt.ct ?? 'new');
    if (cond === 'ct status dnat') return pkt.dnat === true;
    if ((m = /^(ip6?) saddr \. (ip6?) daddr @(\S+)$/.exec(cond))) {
      return (m[1] === 'ip') === (fam === 4) && m[1] === m[2] && inSet(m[3], `${canonicalIP(pkt.src)} . ${canonicalIP(pkt.dst)}`);
    }
    if (cond === 'fib saddr type local') return (pkt.local ?? []).some((a) => canonicalIP(a) === canonicalIP(pkt.src));
    if ((m = /^(ip6?) (saddr|daddr) @(\S+)$/.exec(cond))) {
      return (m[1] === 'ip') === (fam === 4) && inSet(m[3], canonicalIP(m[2] === 'saddr' ? pkt.src : pkt.dst));
    }
    if ((m = /^(ip6?) daddr \. (tcp|udp|sctp) dport @(\S+)$/.exec(cond))) {
      return (m[1] === 'ip') === (fam === 4) && proto === m[2] && pkt.dport !== undefined && inSet(m[3], `${canonicalIP(pkt.dst)} . ${pkt.dport}`);
    }
    if ((m = /^(tcp|udp|sctp) dport (.+)$/.exec(cond))) return proto === m[1] && pkt.dport !== undefined && portIn(m[2], pkt.dport);
    if ((m = /^meta l4proto \{ (.+) \}$/.exec(cond))) return m[1].split(', ').includes(proto);
    if ((m = /^icmpv6 type \{ (.+) \}$/.exec(cond))) return proto === 'icmpv6' && m[1].split(', ').includes(pkt.icmpv6Type ?? '');
    if ((m = /^meta l4proto (\w+)$/.exec(cond))) return proto === m[1];
    if ((m = /^meta l4proto \. th dport \{ (.+) \}$/.exec(cond))) {
      return pkt.dport !== undefined && m[1].split(', ').some((e) => {
        const [p, range] = e.split(' . ');
        return p === proto && portIn(range, pkt.dport!);
      });
    }
    throw new Error(`trace: unsupported match ${JSON.stringify(cond)}`);
  };

  const run = (chain: string, depth: number): Outcome => {
    const c = plan.chains[chain];
    if (!c) throw new Error(`trace: jump to unknown chain ${chain}`);
    if (depth > 16) throw new Error(`trace: chain depth exceeded at ${chain}`);
    for (const rule of c.rules) {
      const { conds, verdict } = parseRule(rule);
      let v = verdict;
      const vmap = /^(ip6?) (saddr|daddr) vmap @(\S+)$/.exec(conds[conds.length - 1] ?? '');
      if (vmap) {
        if ((vmap[1] === 'ip') !== (fam === 4)) continue;
        v = plan.maps[vmap[3]]?.elements[canonicalIP(vmap[2] === 'saddr' ? pkt.src : pkt.dst)] ?? '';
        if (!conds.slice(0, -1).every(matches) || !v) continue;
      } else if (!conds.every(matches)) continue;
      steps.push(`${chain}: ${rule}${vmap ? ` => ${v}` : ''}`);
      const [word, target] = v.split(' ');
      if (word === 'accept' || word === 'drop' || word === 'return') return word;
      const sub = run(target, depth + 1);
      if (word === 'goto' || sub !== 'return') return sub;
    }
    return 'return';
  };

  for (const b of bases) {
    const out = run(b.name, 0);
    const v = out === 'return' ? b.hook!.policy : out;
    if (v === 'drop') return { verdict: 'drop', steps };
  }
  return { verdict: 'accept', steps };
}

function parseHook(hook: string): { hook: string; priority: number; policy: 'accept' | 'drop' } {
  const m = /^type filter hook (\w+) priority (filter|-?\d+)(?: ([+-]) (\d+))?; policy (accept|drop);$/.exec(hook);
  if (!m) throw new Error(`trace: unsupported hook ${JSON.stringify(hook)}`);
  const base = m[2] === 'filter' ? 0 : Number(m[2]);
  return { hook: m[1], priority: base + (m[3] ? Number(`${m[3]}${m[4]}`) : 0), policy: m[5] as 'accept' | 'drop' };
}

const cache = new Map<string, { conds: string[]; verdict: string }>();

/** Splits `MATCH... VERDICT [comment "..."]` into match statements and the verdict. */
function parseRule(rule: string): { conds: string[]; verdict: string } {
  const hit = cache.get(rule);
  if (hit) return hit;
  let text = rule.replace(/ ?comment "[^"]*"$/, '');
  let verdict = '';
  const v = /(?:^| )(accept|drop|return|(?:jump|goto) \S+)$/.exec(text);
  if (v) {
    verdict = v[1];
    text = text.slice(0, v.index);
  }
  const conds: string[] = [];
  // Statements start at a keyword; set literals `{ ... }` and `. th dport` stay inside theirs.
  const re = /(ct state \S+|ct status dnat|ip6? saddr \. ip6? daddr @\S+|fib saddr type local|ip6? (?:saddr|daddr) vmap @\S+|ip6? daddr \. \w+ dport @\S+|ip6? (?:saddr|daddr) @\S+|meta l4proto \. th dport \{ [^}]* \}|meta l4proto (?:\{ [^}]* \}|\w+)|icmpv6 type \{ [^}]* \}|(?:tcp|udp|sctp) dport (?:\{ [^}]* \}|\S+))/y;
  let rest = text.trim();
  while (rest) {
    re.lastIndex = 0;
    const m = re.exec(rest);
    if (!m) throw new Error(`trace: cannot parse ${JSON.stringify(rest)} in rule ${JSON.stringify(rule)}`);
    conds.push(m[1]);
    rest = rest.slice(m[0].length).trim();
  }
  if (!verdict && !/vmap/.test(conds[conds.length - 1] ?? '')) throw new Error(`trace: rule without verdict: ${rule}`);
  const out = { conds, verdict };
  cache.set(rule, out);
  return out;
}

function portIn(spec: string, port: number): boolean {
  const list = spec.startsWith('{') ? spec.slice(1, -1).trim().split(', ') : [spec];
  return list.some((r) => {
    const [lo, hi] = r.split('-').map(Number);
    return port >= lo && port <= (hi ?? lo);
  });
}

function inInterval(element: string, ip: string): boolean {
  if (element.includes('/')) return contains(parseCIDR(element), ip);
  const [lo, hi] = element.split('-');
  if (hi === undefined) return canonicalIP(lo) === ip;
  const v = parseIP(ip);
  const a = parseIP(lo);
  return v.family === a.family && v.value >= a.value && v.value <= parseIP(hi).value;
}

export interface Hop {
  node: string;
  hook: Packet['hook'];
}

/**
 * The hooks a connection's first packet passes, node by node: a pod's packets are forwarded by its
 * node (or delivered to it, when addressed to the node itself); the receiving node forwards them to
 * its pod. A node's own packets leave through output, which has no policy chain.
 */
export function pathOf(src: { node?: string; isNode?: boolean }, dst: { node?: string; isNode?: boolean }): Hop[] {
  const hops: Hop[] = [];
  if (src.node) hops.push({ node: src.node, hook: src.isNode ? 'output' : dst.isNode && dst.node === src.node ? 'input' : 'forward' });
  if (dst.node && dst.node !== src.node) hops.push({ node: dst.node, hook: dst.isNode ? 'input' : 'forward' });
  return hops;
}

/** The packet through every node on its path; dropped if any node drops it. */
export function traceConnection(plans: Record<string, PolicyPlan>, hops: Hop[], pkt: Omit<Packet, 'hook' | 'local'>, nodeIPs: Record<string, string[]> = {}): TraceResult & { hops: Hop[] } {
  const steps: string[] = [];
  for (const hop of hops) {
    const plan = plans[hop.node];
    if (!plan) throw new Error(`trace: no plan for node ${hop.node}`);
    const r = tracePlan(plan, { ...pkt, hook: hop.hook, local: nodeIPs[hop.node] ?? [] });
    steps.push(...r.steps.map((st) => `${hop.node} ${hop.hook} ${st}`));
    if (r.verdict === 'drop') return { verdict: 'drop', steps, hops };
  }
  return { verdict: 'accept', steps, hops };
}
