// The tracer's evaluator: runs planned rules (parsed by tracer-parse.ts) against one packet state,
// splitting the state at every `numgen` draw, with nft's jump/goto/return semantics.
import { contains, parseCIDR, parseIP, formatIP } from '../../api/cidr.js';
import type { NatHook, NftChain, ProxyPlan } from './types.js';
import { braceItems, parseRule, type Field, type Op, type SetRef, type Verdict } from './tracer-parse.js';
import type { TraceOptions, TraceOutcome, TracePacket } from './tracer-types.js';

export interface State {
  src: string;
  dst: string;
  dport: number;
  mark: number;
  dnat?: string;
  masq: boolean;
  p: number;
  path: string[];
}

type End = 'next' | 'return' | 'accept' | 'drop' | 'reject';
interface Flow { s: State; end: End }

export function canon(v: string): string {
  if (v.includes('/')) return v;
  try {
    const ip = parseIP(v);
    return formatIP(ip.family, ip.value);
  } catch {
    return v;
  }
}

const canonKey = (key: string) => key.split(' . ').map(canon).join(' . ');
const clone = (s: State): State => ({ ...s, path: [...s.path] });

export class Tracer {
  private readonly chains = new Map<string, NftChain>();
  private readonly sets = new Map<string, Map<string, string>>();
  private readonly parsed = new Map<string, Op[]>();
  private readonly local: Set<string>;

  constructor(private readonly plan: ProxyPlan, private readonly pkt: TracePacket, opts: TraceOptions) {
    for (const t of plan.tables) {
      for (const c of t.chains) this.chains.set(c.name, c);
      for (const s of t.sets) {
        const m = new Map<string, string>();
        for (const e of s.elements) {
          const [k, v] = e.split(' : ');
          m.set(canonKey(k), v ?? '');
        }
        this.sets.set(s.name, m);
      }
    }
    for (const [name, items] of Object.entries(opts.dynamicSets ?? {})) this.sets.set(name, new Map(items.map((k) => [canonKey(k), ''])));
    this.local = new Set([...plan.node.underlayIPs, ...plan.announce].map(canon));
  }

  private field(f: Field, s: State): string | undefined {
    switch (f.kind) {
      case 'addr': {
        const v = f.dir === 'saddr' ? s.src : s.dst;
        return (v.includes(':') ? 6 : 4) === f.family ? canon(v) : undefined;
      }
      case 'l4proto': return this.pkt.proto;
      case 'dport': return this.pkt.proto === 'icmp' ? undefined : String(s.dport);
      case 'mark': return String(s.mark);
      case 'ctstate': return 'new';
      case 'ctstatus': return s.dnat ? 'dnat' : '';
      case 'fibsaddrtype': return this.pkt.hook === 'output' || this.local.has(canon(s.src)) ? 'local' : 'unicast';
    }
  }

  private key(fields: Field[], s: State): string | undefined {
    const parts = fields.map((f) => this.field(f, s));
    return parts.includes(undefined) ? undefined : parts.join(' . ');
  }

  private static matches(actual: string, item: string): boolean {
    if (!item.includes('/')) return canon(item) === actual;
    try {
      return contains(parseCIDR(item), actual);
    } catch {
      return false;
    }
  }

  /** The value for `key` in a set or map ('' for plain sets), or undefined when absent. */
  private lookup(ref: SetRef, key: string): string | undefined {
    if ('named' in ref) {
      const set = this.sets.get(ref.named);
      if (!set) throw new Error(`trace: no set ${ref.named}`);
      return set.get(key);
    }
    for (const item of ref.items) {
      const [k, v] = item.split(' : ');
      if (Tracer.matches(key, k.trim())) return v?.trim() ?? '';
    }
    return undefined;
  }

  private verdict(v: Verdict, s: State, depth: number): Flow[] {
    if (v.kind !== 'jump' && v.kind !== 'goto') return [{ s, end: v.kind }];
    return this.chain(v.chain, s, depth + 1).map((f) => (f.end === 'return' ? { s: f.s, end: v.kind === 'jump' ? 'next' : 'return' } : f));
  }

  private ops(chain: string, rule: string, ops: Op[], i: number, s: State, depth: number): Flow[] {
    if (i >= ops.length) return [{ s, end: 'next' }];
    const op = ops[i];
    const rest = () => this.ops(chain, rule, ops, i + 1, s, depth);
    const fired = () => {
      if (!s.path.includes(`${chain}: ${rule}`)) s.path.push(`${chain}: ${rule}`);
    };
    switch (op.op) {
      case 'match': {
        const k = this.key(op.key, s);
        const hit = k !== undefined && (op.value.startsWith('{') ? braceItems(op.value).some((it) => Tracer.matches(k, it)) : Tracer.matches(k, op.value));
        return k !== undefined && hit !== op.neg ? rest() : [{ s, end: 'next' }];
      }
      case 'masked':
        return (s.mark & op.mask) === op.value ? rest() : [{ s, end: 'next' }];
      case 'in': {
        const k = this.key(op.key, s);
        return k !== undefined && this.lookup(op.set, k) !== undefined ? rest() : [{ s, end: 'next' }];
      }
      case 'vmap': {
        const k = this.key(op.key, s);
        const v = k === undefined ? undefined : this.lookup(op.map, k);
        if (v === undefined) return [{ s, end: 'next' }];
        fired();
        return this.verdict(parseVerdict(v), s, depth);
      }
      case 'numgen': {
        fired();
        const flows: Flow[] = [];
        for (let n = 0; n < op.mod; n++) {
          const b = clone(s);
          b.p = s.p / op.mod;
          const v = this.lookup(op.map, String(n));
          if (v === undefined) flows.push({ s: b, end: 'next' });
          else flows.push(...this.verdict(parseVerdict(v), b, depth));
        }
        return flows;
      }
      case 'verdict':
        fired();
        return this.verdict(op.verdict, s, depth);
      case 'mark':
        fired();
        s.mark = op.how === '|' ? s.mark | op.value : s.mark ^ op.value;
        return rest();
      case 'update':
        fired();
        return rest();
      case 'masquerade':
        fired();
        s.masq = true;
        return [{ s, end: 'accept' }];
      case 'dnat':
      case 'dnatmap': {
        let to = op.op === 'dnat' ? op.to : undefined;
        if (op.op === 'dnatmap') {
          const k = this.key(op.key, s);
          const v = k === undefined ? undefined : this.lookup({ named: op.map }, k);
          if (v === undefined) return [{ s, end: 'next' }];
          const [ip, port] = v.split(' . ');
          to = op.family === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
        }
        fired();
        const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(to as string);
        if (!m) throw new Error(`trace: bad dnat target ${to}`);
        s.dnat = to;
        s.dst = canon(m[1]);
        s.dport = Number(m[2]);
        return [{ s, end: 'accept' }];
      }
    }
  }

  chain(name: string, s: State, depth: number): Flow[] {
    if (depth > 32) throw new Error(`trace: chain depth exceeded at ${name}`);
    const chain = this.chains.get(name);
    if (!chain) throw new Error(`trace: no chain ${name}`);
    let live = [s];
    const done: Flow[] = [];
    for (const rule of chain.rules) {
      let ops = this.parsed.get(rule);
      if (!ops) this.parsed.set(rule, (ops = parseRule(rule)));
      const next: State[] = [];
      for (const st of live) {
        for (const f of this.ops(name, rule, ops, 0, st, depth)) {
          if (f.end === 'next') next.push(f.s);
          else done.push(f);
        }
      }
      live = next;
    }
    return [...done, ...live.map((st) => ({ s: st, end: 'return' as End }))];
  }

  /** Runs every base chain of `hook` in priority order; returns survivors and finished outcomes. */
  hook(hook: NatHook, states: State[], finished: TraceOutcome[]): State[] {
    const bases = [...this.chains.values()].filter((c) => c.base?.hook === hook).sort((a, b) => (a.base?.priority ?? 0) - (b.base?.priority ?? 0));
    let live = states;
    for (const c of bases) {
      const next: State[] = [];
      for (const st of live) {
        for (const f of this.chain(c.name, st, 0)) {
          if (f.end === 'drop' || f.end === 'reject') finished.push({ p: f.s.p, verdict: f.end, dnat: f.s.dnat, masquerade: f.s.masq, path: f.s.path });
          else next.push(f.s);
        }
      }
      live = next;
    }
    return live;
  }

  isLocal(ip: string): boolean {
    return this.local.has(canon(ip));
  }
}

function parseVerdict(v: string): Verdict {
  const [kind, chain] = v.trim().split(/\s+/);
  if (kind === 'jump' || kind === 'goto') return { kind, chain };
  if (kind === 'accept' || kind === 'drop' || kind === 'reject' || kind === 'return') return { kind };
  throw new Error(`trace: unsupported verdict ${v}`);
}

