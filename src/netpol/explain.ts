// `podnet policy explain SRC DST PORT/PROTO`: the model's verdict in words, egress side first (the
// source's policies), then ingress (the destination's), down to the peer and port that matched or
// the reason each one did not.
import type { Family } from '../api/cidr.js';
import { NetpolQueryError, PolicyModel, type DirectionResult, type Verdict } from './model.js';
import { PROTOCOLS, type PolicyWorld } from './types.js';

/** `80/TCP`, `80/udp`, `80` (TCP), `SCTP` (protocol only) or `ICMP`. */
export function parsePortProto(text: string): { port?: number; protocol: string } {
  const m = /^(?:(\d+)(?:\/([A-Za-z]+))?|([A-Za-z]+))$/.exec(text.trim());
  if (!m) throw new NetpolQueryError(`${JSON.stringify(text)} is not PORT/PROTOCOL (e.g. 80/TCP, 53/UDP)`);
  const protocol = (m[2] ?? m[3] ?? 'TCP').toUpperCase();
  if (m[1] !== undefined) {
    const port = Number(m[1]);
    if (port < 1 || port > 65535) throw new NetpolQueryError(`port ${port} is outside 1-65535`);
    if (!PROTOCOLS.includes(protocol as never)) throw new NetpolQueryError(`protocol ${protocol} has no ports: use TCP, UDP or SCTP`);
    return { port, protocol };
  }
  if (![...PROTOCOLS, 'ICMP', 'ICMPV6'].includes(protocol)) throw new NetpolQueryError(`unknown protocol ${protocol}: use TCP, UDP, SCTP or ICMP`);
  return { protocol };
}

export function formatVerdict(v: Verdict): string {
  const what = v.port !== undefined ? `${v.port}/${v.protocol}` : v.protocol;
  const out = [`${v.src} -> ${v.dst} ${what}: ${v.allowed ? 'ALLOWED' : 'DENIED'}`];
  if (v.via) {
    const n = v.via.backends.length;
    out.push(`through service ${v.via.service}: rules judge it after DNAT, on the endpoint the proxy picks (${n} ${n === 1 ? 'endpoint' : 'endpoints'}):`);
    for (const b of v.via.backends) out.push(`  ${b.endpoint} port ${b.port}: ${b.allowed ? 'allowed' : 'denied'}${b.hairpin ? ' (hairpin: the source itself)' : ''}`);
  }
  out.push(...side('egress', v.egress), ...side('ingress', v.ingress));
  return out.join('\n') + '\n';
}

function side(name: string, d: DirectionResult): string[] {
  const out = [`${name}: ${d.allowed ? 'allowed' : 'denied'}: ${d.summary}`];
  for (const p of d.policies) {
    out.push(`  policy ${p.policy}: ${p.allowed ? 'allows' : 'does not allow'}`);
    if (p.rules.length === 0) out.push(`    (no ${name} rules: denies all ${name})`);
    for (const r of p.rules) {
      out.push(`    ${r.rule}: ${r.allowed ? 'matched' : 'no match'}`);
      for (const l of [...r.peer.lines, ...r.ports.lines]) out.push(`      ${l}`);
    }
  }
  return out;
}

export function explain(world: PolicyWorld | PolicyModel, src: string, dst: string, portProto: string, opts: { family?: Family } = {}): string {
  const model = world instanceof PolicyModel ? world : new PolicyModel(world);
  const { port, protocol } = parsePortProto(portProto);
  return formatVerdict(model.allowed(src, dst, port, protocol, opts.family));
}
