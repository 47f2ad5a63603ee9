// Cutting connections a new policy forbids, as Calico does. The ruleset accepts established flows
// before any policy check (replies must pass), so a connection opened while allowed would outlive a
// policy that now denies it; after each apply, the conntrack entries of such flows are deleted and
// their next packet is judged as new. Which flows: parsed from `conntrack -L`, judged by the model
// before and after the change (pure; the applier runs the commands).
import type { PolicyModel } from './model.js';
import { familyOf } from './world.js';

export interface ConntrackEntry {
  /** As conntrack prints it: tcp, udp, sctp, icmp, icmpv6, ... */
  protocol: string;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  /** The reply direction's source: the real destination after DNAT (a Service's endpoint). */
  replySrc: string;
  replySport?: number;
}

/** `conntrack -L [-f ipv6]` output, default format: `tcp 6 117 ESTABLISHED src=.. dst=.. sport=.. dport=.. src=.. ...`. */
export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 4 || !/^[a-z0-9]+$/.test(words[0]) || !/^\d+$/.test(words[1])) continue;
    const orig: Record<string, string> = {};
    const reply: Record<string, string> = {};
    for (const w of words.slice(2)) {
      const eq = w.indexOf('=');
      if (eq < 0) continue;
      const k = w.slice(0, eq);
      const side = orig[k] === undefined ? orig : reply;
      if (side[k] === undefined) side[k] = w.slice(eq + 1);
    }
    if (!orig.src || !orig.dst || !reply.src) continue;
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    out.push({
      protocol: words[0], src: orig.src, dst: orig.dst, replySrc: reply.src,
      ...(orig.sport ? { sport: num(orig.sport) } : {}), ...(orig.dport ? { dport: num(orig.dport) } : {}),
      ...(reply.sport ? { replySport: num(reply.sport) } : {}),
    });
  }
  return out;
}

const PROTOCOL: Record<string, string> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };

/**
 * Is the flow (judged on its post-DNAT destination) allowed by `model`? A hairpin flow (a pod to
 * itself through a VIP) has replySrc == src, so it is judged as the pod to itself: always allowed,
 * as the rules' hairpin sets have it, and never cut.
 */
export function flowAllowed(model: PolicyModel, e: ConntrackEntry): boolean {
  const protocol = PROTOCOL[e.protocol] ?? e.protocol.toUpperCase();
  const port = PROTOCOL[e.protocol] ? e.replySport ?? e.dport : undefined;
  return model.allowed(e.src, e.replySrc, port, protocol).allowed;
}

/** Entries allowed before (or when nothing is known of before) and denied after. */
export function flowsToCut(before: PolicyModel | undefined, after: PolicyModel, entries: ConntrackEntry[]): ConntrackEntry[] {
  return entries.filter((e) => !flowAllowed(after, e) && (before === undefined || flowAllowed(before, e)));
}

/** `conntrack -D` arguments deleting exactly this entry (by its original tuple). */
export function conntrackDeleteArgs(e: ConntrackEntry): string[] {
  const args = ['-D', '-f', familyOf(e.src) === 6 ? 'ipv6' : 'ipv4', '-p', e.protocol, '-s', e.src, '-d', e.dst];
  if (e.sport !== undefined) args.push('--sport', String(e.sport));
  if (e.dport !== undefined) args.push('--dport', String(e.dport));
  return args;
}
