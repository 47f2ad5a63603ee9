// The plugin's network configuration (stdin), modelled on the reference bridge plugin, validated
// into a typed object. Decoding errors are code 6, semantic ones code 7 (SPEC.md "Error").
import { decodeFailure, invalidConfig } from './errors.js';
import { parseIp } from './ipam/ip.js';
import { parseRangeSets, type RangeSet } from './ipam/range.js';
import { parseCidr } from './ipam/ip.js';
import { assertSupported } from './version.js';
import type { Dns, Route } from './types.js';

export interface Attachment {
  containerID: string;
  ifname: string;
}

export interface PodnetIpam {
  type: 'podnet';
  rangeSets: RangeSet[];
  routes: Route[];
  dataDir: string;
  dns?: Dns;
}

export interface DelegatedIpam {
  type: string;
  raw: Record<string, unknown>;
}

export interface NetConf {
  cniVersion: string;
  name: string;
  type: string;
  bridge: string;
  mtu: number;
  hairpinMode: boolean;
  ipam: PodnetIpam | DelegatedIpam;
  dns?: Dns;
  prevResult?: unknown;
  validAttachments?: Attachment[];
  raw: Record<string, unknown>;
}

export const DEFAULT_DATA_DIR = '/run/podnet/ipam';

export function isPodnetIpam(ipam: NetConf['ipam']): ipam is PodnetIpam {
  return ipam.type === 'podnet';
}

function str(o: Record<string, unknown>, key: string, def?: string): string {
  const v = o[key];
  if (v === undefined && def !== undefined) return def;
  if (typeof v !== 'string' || v === '') throw invalidConfig(`"${key}" must be a non-empty string`);
  return v;
}

/** Only the cniVersion, for error reporting before the rest is known to be valid. */
export function peekVersion(stdin: string): string | undefined {
  try {
    const o = JSON.parse(stdin) as { cniVersion?: unknown };
    return typeof o?.cniVersion === 'string' ? o.cniVersion : undefined;
  } catch {
    return undefined;
  }
}

export function decode(stdin: string): Record<string, unknown> {
  let o: unknown;
  try {
    o = JSON.parse(stdin);
  } catch (e) {
    throw decodeFailure('failed to decode network configuration', (e as Error).message);
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw decodeFailure('network configuration is not a JSON object');
  return o as Record<string, unknown>;
}

function parseRoutes(raw: unknown): Route[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw invalidConfig('ipam.routes must be an array');
  return raw.map((r, i) => {
    const o = r as Record<string, unknown>;
    if (typeof o?.dst !== 'string' || !parseCidr(o.dst)) throw invalidConfig(`ipam.routes[${i}].dst must be a CIDR`);
    if (o.gw !== undefined && (typeof o.gw !== 'string' || !parseIp(o.gw))) throw invalidConfig(`ipam.routes[${i}].gw must be an IP`);
    return { dst: o.dst, ...(o.gw ? { gw: o.gw as string } : {}) };
  });
}

function parseAttachments(raw: unknown): Attachment[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw invalidConfig('cni.dev/valid-attachments must be an array');
  return raw.map((a, i) => {
    const o = a as Record<string, unknown>;
    if (typeof o?.containerID !== 'string' || typeof o?.ifname !== 'string') {
      throw invalidConfig(`cni.dev/valid-attachments[${i}] needs containerID and ifname`);
    }
    return { containerID: o.containerID, ifname: o.ifname };
  });
}

/** Parses and validates; `verb` relaxes what VERSION/STATUS/GC do not need. */
export function parseNetConf(stdin: string): NetConf {
  const o = decode(stdin);
  if (typeof o.cniVersion !== 'string') throw invalidConfig('"cniVersion" is required');
  assertSupported(o.cniVersion);
  const name = str(o, 'name');
  const type = str(o, 'type');
  const bridge = str(o, 'bridge', 'cni0');
  if (bridge.length > 15 || /[/:\s]/.test(bridge)) throw invalidConfig(`invalid bridge name "${bridge}"`);
  const mtu = o.mtu === undefined ? 1500 : o.mtu;
  if (typeof mtu !== 'number' || !Number.isInteger(mtu) || mtu < 576 || mtu > 65535) throw invalidConfig('"mtu" must be an integer in 576..65535');
  if (o.hairpinMode !== undefined && typeof o.hairpinMode !== 'boolean') throw invalidConfig('"hairpinMode" must be a boolean');
  const ipamRaw = o.ipam as Record<string, unknown> | undefined;
  if (!ipamRaw || typeof ipamRaw !== 'object' || typeof ipamRaw.type !== 'string') throw invalidConfig('"ipam" with a "type" is required');
  let ipam: NetConf['ipam'];
  if (ipamRaw.type === 'podnet') {
    ipam = {
      type: 'podnet',
      rangeSets: parseRangeSets(ipamRaw.ranges),
      routes: parseRoutes(ipamRaw.routes),
      dataDir: str(ipamRaw, 'dataDir', DEFAULT_DATA_DIR),
      ...(ipamRaw.dns ? { dns: ipamRaw.dns as Dns } : {}),
    };
    if (!ipam.dataDir.startsWith('/')) throw invalidConfig('ipam.dataDir must be an absolute path');
  } else {
    if (!/^[a-zA-Z0-9_.-]+$/.test(ipamRaw.type)) throw invalidConfig(`invalid ipam.type "${ipamRaw.type}"`);
    ipam = { type: ipamRaw.type, raw: ipamRaw };
  }
  return {
    cniVersion: o.cniVersion,
    name,
    type,
    bridge,
    mtu,
    hairpinMode: o.hairpinMode === true,
    ipam,
    ...(o.dns ? { dns: o.dns as Dns } : {}),
    ...(o.prevResult !== undefined ? { prevResult: o.prevResult } : {}),
    validAttachments: parseAttachments(o['cni.dev/valid-attachments']),
    raw: o,
  };
}
