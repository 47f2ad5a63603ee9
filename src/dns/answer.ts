// Answers one DNS query from a Zone. Pure: no sockets, no clock. The server (server.ts) owns the wire.
import type { Answer, OptAnswer, Packet, Question } from 'dns-packet';
import { undash } from './ip.js';
import { normalize, type Zone, type ZoneRecord } from './zone.js';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
// Flag bits as laid out in the 16-bit header word (RFC 1035 §4.1.1), matching dns-packet's `flags`.
export const FLAG_AA = 1 << 10;
export const FLAG_TC = 1 << 9;
export const FLAG_RD = 1 << 8;
const OPCODE_MASK = 0xf << 11;
/** EDNS0 BADVERS is extended rcode 16: upper 8 bits (1) in the OPT record, lower 4 (0) in the header. */
const BADVERS_UPPER = 1;

export interface AnswerOptions {
  /** TTL of positive answers. Default 30, as the kubeadm Corefile (`ttl 30`). */
  ttl?: number;
  /** UDP payload size we advertise in our OPT record. Default 1232 (DNS flag day 2020). */
  udpPayloadSize?: number;
}

/** The question is outside the zone: the server should forward it (upstream resolver, later). */
export interface ForwardMarker {
  forward: true;
  question: Question;
}

export function isForward(r: Packet | ForwardMarker): r is ForwardMarker {
  return 'forward' in r && r.forward === true;
}

export function answer(zone: Zone, query: Packet, opts: AnswerOptions = {}): Packet | ForwardMarker {
  const ttl = opts.ttl ?? 30;
  const opcode = (query.flags ?? 0) & OPCODE_MASK;
  const questions = query.questions ?? [];
  const opts6891 = (query.additionals ?? []).filter((a): a is OptAnswer => a.type === 'OPT');

  if (opcode !== 0) return errorResponse(query, RCODE.NOTIMP, opts);
  // RFC 9619: QDCOUNT must be 1 for QUERY; RFC 6891 §6.1.1: more than one OPT is FORMERR.
  if (questions.length !== 1 || opts6891.length > 1) return errorResponse(query, RCODE.FORMERR, opts);
  const q = questions[0] as Question;
  if ((opts6891[0]?.ednsVersion ?? 0) > 0) {
    const res = errorResponse(query, RCODE.NOERROR, opts);
    const opt = res.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
    if (opt) opt.extendedRcode = BADVERS_UPPER;
    return res;
  }
  if (q.class !== undefined && q.class !== 'IN' && q.class !== 'ANY') return errorResponse(query, RCODE.REFUSED, opts);

  const qname = normalize(q.name);
  const qtype: string = q.type;
  const inDomain = qname === zone.domain || qname.endsWith(`.${zone.domain}`);
  // Reverse names are ours only when we hold them; otherwise fall through to the forwarder, as the
  // stock Corefile does with `fallthrough in-addr.arpa ip6.arpa`.
  if (!inDomain && zone.get(qname) === undefined) return { forward: true, question: q };
  // Zone transfers are refused, as CoreDNS's kubernetes plugin does without a `transfer` block
  // (handler.go: AXFR, IXFR → REFUSED); a transfer of 10,000 Services is not for every client.
  if (qtype === 'AXFR' || qtype === 'IXFR') return errorResponse(query, RCODE.REFUSED, opts);

  const res = baseResponse(query, opts);
  res.flags = (res.flags ?? 0) | FLAG_AA;
  const soa = soaRecord(zone);
  const negative = (rcode: number): Packet => {
    res.flags = (res.flags ?? 0) | rcode;
    res.authorities = soa ? [soa] : [];
    return res;
  };

  const rrset = lookup(zone, qname);
  if (rrset === undefined) return negative(RCODE.NXDOMAIN);

  const answers: Answer[] = [];
  // CNAME at the name (ExternalName services): answer it for every other type, then chase it while
  // it stays inside the zone. Targets outside the zone are left to the client's resolver for now.
  let owner = q.name.replace(/\.$/, '');
  let records: readonly ZoneRecord[] = rrset;
  for (let hops = 0; hops < 8 && qtype !== 'CNAME'; hops++) {
    const cname = records.find((r) => r.type === 'CNAME');
    if (!cname) break;
    answers.push(toAnswer(owner, cname, ttl));
    owner = cname.data as string;
    const next = lookup(zone, normalize(owner));
    if (!next) break;
    records = next;
  }
  const matching = records.filter((r) => r.type === qtype || (qtype === 'ANY' && r.type !== 'CNAME'));
  for (const r of matching) answers.push(toAnswer(owner, r, ttl));
  if (answers.length === 0) return negative(RCODE.NOERROR); // NODATA

  res.answers = answers;
  // SRV targets inside the zone go into the additional section, as CoreDNS does.
  const extra: Answer[] = [];
  for (const r of matching) {
    if (r.type !== 'SRV') continue;
    for (const t of lookup(zone, r.data.target) ?? []) {
      if (t.type === 'A' || t.type === 'AAAA') extra.push(toAnswer(r.data.target, t, ttl));
    }
  }
  res.additionals = [...extra, ...(res.additionals ?? [])];
  return res;
}

/** A response carrying only the question, header flags and rcode (plus OPT when the query had one). */
export function errorResponse(query: Packet, rcode: number, opts: AnswerOptions = {}): Packet {
  const res = baseResponse(query, opts);
  res.flags = (res.flags ?? 0) | rcode;
  return res;
}

function baseResponse(query: Packet, opts: AnswerOptions): Packet {
  const flags = query.flags ?? 0;
  const hasOpt = (query.additionals ?? []).some((a) => a.type === 'OPT');
  const additionals: Answer[] = hasOpt
    ? [{ type: 'OPT', name: '.', udpPayloadSize: opts.udpPayloadSize ?? 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
    : [];
  return {
    id: query.id ?? 0,
    type: 'response',
    flags: (flags & OPCODE_MASK) | (flags & FLAG_RD),
    questions: query.questions ?? [],
    answers: [],
    authorities: [],
    additionals,
  };
}

/** Records at a name, [] for NODATA, undefined for NXDOMAIN. Pod names are synthesized, not stored. */
function lookup(zone: Zone, name: string): readonly ZoneRecord[] | undefined {
  const held = zone.get(name);
  if (held) return held;
  const podSuffix = `.pod.${zone.domain}`;
  if (zone.pods === 'disabled' || !name.endsWith(podSuffix)) return undefined;
  // <dashed-ip>.<namespace>.pod.<domain>: spec §2.6 (deprecated, still required) answers any
  // address; CoreDNS `pods insecure` does so without checking that such a pod exists, but only in
  // a namespace that exists (findPods: namespaceExposed, else NXDOMAIN). Extra labels
  // (x.<dashed-ip>.<ns>.pod) are NXDOMAIN here; CoreDNS parses them as an endpoint it then ignores.
  const labels = name.slice(0, -podSuffix.length).split('.');
  if (labels.length !== 2) return undefined;
  const [label, ns] = labels as [string, string];
  const addr = undash(label);
  if (!addr || !zone.namespaceExists(ns)) return undefined;
  if (zone.pods === 'verified' && !zone.hasPodIP(ns, addr.ip)) return undefined;
  return [{ type: addr.family === 4 ? 'A' : 'AAAA', data: addr.ip }];
}

function soaRecord(zone: Zone): Answer | undefined {
  const soa = zone.get(zone.domain)?.find((r) => r.type === 'SOA');
  if (!soa || soa.type !== 'SOA') return undefined;
  return { name: zone.domain, type: 'SOA', class: 'IN', ttl: soa.data.minimum, data: soa.data };
}

function toAnswer(name: string, r: ZoneRecord, ttl: number): Answer {
  switch (r.type) {
    case 'SRV': return { name, type: 'SRV', class: 'IN', ttl, data: r.data };
    case 'TXT': return { name, type: 'TXT', class: 'IN', ttl, data: r.data };
    // The SOA's own TTL is its minimum, as CoreDNS, so negative caching and SOA queries agree.
    case 'SOA': return { name, type: 'SOA', class: 'IN', ttl: r.data.minimum, data: r.data };
    default: return { name, type: r.type, class: 'IN', ttl, data: r.data };
  }
}
