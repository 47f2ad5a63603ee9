// The capture plan: one nftables table in the pod's network namespace that sends the pod's TCP
// through its sidecar, as istio-init's iptables rules do (ISTIO_INBOUND / ISTIO_OUTPUT), for IPv4
// and IPv6 alike (an inet table; `redirect` keeps the original destination in conntrack, where
// the sidecar reads it back with SO_ORIGINAL_DST).
// Left alone: loopback; the sidecar's own sockets (it runs as PROXY_UID: `meta skuid`, Istio's
// choice too); the sidecar's ports; excluded ports and ranges; and kubelet probes, which come from
// the node's address on the pod bridge: excluded by source rather than rewritten as Istio does, so
// probes test the app directly and need no sidecar to be up.
import type { CaptureConfig } from './capture-config.js';
import { INBOUND_PORT, OUTBOUND_PORT, PROXY_UID, SIDECAR_PORTS } from './ports.js';

export const CAPTURE_TABLE = 'podnet-mesh';

const set = (xs: readonly (string | number)[]): string => (xs.length === 1 ? String(xs[0]) : `{ ${xs.join(', ')} }`);
const v4 = (xs: readonly string[]) => xs.filter((x) => !x.includes(':'));
const v6 = (xs: readonly string[]) => xs.filter((x) => x.includes(':'));

function inbound(c: CaptureConfig): string[] {
  const r = ['meta l4proto != tcp return', 'iifname "lo" return'];
  if (v4(c.probeSources).length) r.push(`ip saddr ${set(v4(c.probeSources))} return`);
  if (v6(c.probeSources).length) r.push(`ip6 saddr ${set(v6(c.probeSources))} return`);
  r.push(`tcp dport ${set(SIDECAR_PORTS)} return`);
  if (c.excludeInboundPorts.length) r.push(`tcp dport ${set([...c.excludeInboundPorts].sort((a, b) => a - b))} return`);
  if (c.includeInboundPorts !== '*') {
    if (c.includeInboundPorts.length === 0) return [...r, 'return'];
    r.push(`tcp dport != ${set([...c.includeInboundPorts].sort((a, b) => a - b))} return`);
  }
  r.push(`meta l4proto tcp redirect to :${INBOUND_PORT}`);
  return r;
}

function outbound(c: CaptureConfig): string[] {
  const r = ['meta l4proto != tcp return', `meta skuid ${PROXY_UID} return`, 'oifname "lo" return'];
  if (c.excludeOutboundPorts.length) r.push(`tcp dport ${set([...c.excludeOutboundPorts].sort((a, b) => a - b))} return`);
  if (v4(c.excludeOutboundIPRanges).length) r.push(`ip daddr ${set(v4(c.excludeOutboundIPRanges))} return`);
  if (v6(c.excludeOutboundIPRanges).length) r.push(`ip6 daddr ${set(v6(c.excludeOutboundIPRanges))} return`);
  r.push(`meta l4proto tcp redirect to :${OUTBOUND_PORT}`);
  return r;
}

/** The whole table as one `nft -f -` transaction; replaces an older version atomically. */
export function capturePlan(c: CaptureConfig): string {
  const chain = (name: string, hook: string, prio: string, rules: string[]) => [
    `  chain ${name} {`,
    `    type nat hook ${hook} priority ${prio}; policy accept;`,
    ...rules.map((x) => `    ${x}`),
    '  }',
  ];
  return [
    `table inet ${CAPTURE_TABLE}`,
    `delete table inet ${CAPTURE_TABLE}`,
    `table inet ${CAPTURE_TABLE} {`,
    ...chain('inbound', 'prerouting', 'dstnat', inbound(c)),
    ...chain('outbound', 'output', '-100', outbound(c)),
    '}',
    '',
  ].join('\n');
}
