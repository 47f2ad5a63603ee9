// Walks a virtual packet through a planned table, as kube-proxy's nftablesTracer does for its unit
// tests: which verdict, which DNAT targets with what probability, masqueraded or not, and the rules
// that decided. It models the first packet of a connection (`ct state new`) through the hooks in
// priority order: prerouting → input | forward → postrouting, or output → postrouting (→ input).
import type { ProxyPlan } from './types.js';
import { canon, Tracer, type State } from './tracer-eval.js';
import type { Trace, TraceOptions, TraceOutcome, TracePacket } from './tracer-types.js';

export type { Trace, TraceOptions, TraceOutcome, TracePacket } from './tracer-types.js';

/** Where a packet goes through `plan` (see the file comment). */
export function traceProxy(plan: ProxyPlan, packet: TracePacket, opts: TraceOptions = {}): Trace {
  const t = new Tracer(plan, packet, opts);
  const finished: TraceOutcome[] = [];
  const start: State = { src: canon(packet.src), dst: canon(packet.dst), dport: packet.dport, mark: 0, masq: false, p: 1, path: [] };
  let live: State[];
  if (packet.hook === 'output') {
    live = t.hook('postrouting', t.hook('output', [start], finished), finished);
    const local = live.filter((s) => t.isLocal(s.dst));
    live = [...live.filter((s) => !t.isLocal(s.dst)), ...t.hook('input', local, finished)];
  } else {
    const routed = t.hook('prerouting', [start], finished);
    const local = routed.filter((s) => t.isLocal(s.dst));
    const forwarded = routed.filter((s) => !t.isLocal(s.dst));
    live = [...t.hook('input', local, finished), ...t.hook('postrouting', t.hook('forward', forwarded, finished), finished)];
  }
  for (const s of live) finished.push({ p: s.p, verdict: 'accept', dnat: s.dnat, masquerade: s.masq, path: s.path });
  return summarize(finished);
}

function summarize(all: TraceOutcome[]): Trace {
  const merged = new Map<string, TraceOutcome>();
  for (const o of all) {
    const k = `${o.verdict}|${o.dnat ?? ''}|${o.masquerade}`;
    const m = merged.get(k);
    if (m) m.p += o.p;
    else merged.set(k, { ...o });
  }
  const outcomes = [...merged.values()];
  const verdicts = new Set(outcomes.map((o) => (o.verdict === 'accept' && o.dnat ? 'dnat' : o.verdict)));
  const targets: Record<string, number> = {};
  for (const o of outcomes) if (o.verdict === 'accept' && o.dnat) targets[o.dnat] = (targets[o.dnat] ?? 0) + o.p;
  const accepted = outcomes.filter((o) => o.verdict === 'accept');
  const masq = accepted.filter((o) => o.masquerade).length;
  return {
    verdict: verdicts.size === 1 ? ([...verdicts][0] as Trace['verdict']) : 'mixed',
    targets,
    masquerade: masq === 0 ? 'none' : masq === accepted.length ? 'all' : 'some',
    outcomes,
    path: outcomes[0]?.path ?? [],
  };
}
