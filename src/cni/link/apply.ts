// Applies link plans with one `ip -batch` per namespace, and reads state back for CHECK and GC.
import { ipBatch, run } from '../../sys/exec.js';
import { bridgeLines, bridgeSysctls, type BridgeSpec } from './plan.js';

export interface LinkState {
  name: string;
  mac: string;
  master?: string;
  kind?: string;
  up: boolean;
  addrs: string[];
}

interface IpJsonAddr {
  ifname: string;
  address?: string;
  master?: string;
  flags?: string[];
  linkinfo?: { info_kind?: string };
  addr_info?: { local: string; prefixlen: number }[];
}

function toState(j: IpJsonAddr): LinkState {
  return {
    name: j.ifname,
    mac: j.address ?? '',
    master: j.master,
    kind: j.linkinfo?.info_kind,
    up: (j.flags ?? []).includes('UP'),
    addrs: (j.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`),
  };
}

/** One link with its addresses, or undefined when it does not exist. */
export async function readLink(name: string, netns?: string): Promise<LinkState | undefined> {
  const r = await run('ip', ['-j', '-d', 'addr', 'show', 'dev', name], { netns, allowFail: true });
  if (r.code !== 0) {
    if (/does not exist|Cannot find device/.test(r.stderr)) return undefined;
    throw new Error(`ip addr show dev ${name}: ${r.stderr.trim()}`);
  }
  const list = JSON.parse(r.stdout || '[]') as IpJsonAddr[];
  return list[0] ? toState(list[0]) : undefined;
}

/** Links enslaved to `bridge` (GC looks for stale pod veths there). */
export async function bridgePorts(bridge: string, netns?: string): Promise<LinkState[]> {
  const r = await run('ip', ['-j', '-d', 'link', 'show', 'master', bridge], { netns, allowFail: true });
  if (r.code !== 0) return [];
  return (JSON.parse(r.stdout || '[]') as IpJsonAddr[]).map(toState);
}

// The agent remembers bridges it has ensured, so a steady-state ADD spends no process on them. A
// failed ADD forgets the entry (the bridge may have been deleted behind our back) and the next one
// starts from the truth, like kube-proxy's full resync after an error.
const ensured = new Map<string, Promise<void>>();

export function forgetBridge(name: string): void {
  for (const k of ensured.keys()) if (k.startsWith(`${name}|`)) ensured.delete(k);
}

async function ensureBridgeOnce(spec: BridgeSpec): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const cur = await readLink(spec.name);
    if (cur && cur.kind && cur.kind !== 'bridge') throw new Error(`${spec.name} exists and is a ${cur.kind}, not a bridge`);
    try {
      await ipBatch(bridgeLines(spec, cur ? { addrs: cur.addrs } : undefined));
      const sysctls = Object.entries(bridgeSysctls(spec)).map(([k, v]) => `${k}=${v}`);
      await run('sysctl', ['-q', '-w', ...sysctls]);
      return;
    } catch (e) {
      // Another process created the bridge or an address between our read and our write: re-read.
      if (attempt < 2 && /File exists/.test(String((e as Error).message))) continue;
      throw e;
    }
  }
}

export function ensureBridge(spec: BridgeSpec): Promise<void> {
  const key = `${spec.name}|${spec.mtu}|${spec.gateways.join(',')}`;
  let p = ensured.get(key);
  if (!p) {
    p = ensureBridgeOnce(spec);
    ensured.set(key, p);
    p.catch(() => ensured.delete(key));
  }
  return p;
}

/** Deletes a link if it exists (deleting one end of a veth deletes both). */
export async function deleteLink(name: string, netns?: string): Promise<boolean> {
  const r = await run('ip', ['link', 'del', name], { netns, allowFail: true });
  if (r.code === 0) return true;
  if (/Cannot find device|does not exist/.test(r.stderr)) return false;
  throw new Error(`ip link del ${name}: ${r.stderr.trim()}`);
}

export interface RouteState {
  dst: string;
  gw?: string;
  dev?: string;
}

/** Addresses of `ifname` and the IPv4+IPv6 main-table routes inside a netns (for CHECK). */
export async function readPod(netns: string, ifname: string): Promise<{ link?: LinkState; routes: RouteState[] }> {
  const [link, r4, r6] = await Promise.all([
    readLink(ifname, netns),
    run('ip', ['-j', '-4', 'route', 'show'], { netns }),
    run('ip', ['-j', '-6', 'route', 'show'], { netns }),
  ]);
  const parse = (s: string) => (JSON.parse(s || '[]') as { dst: string; gateway?: string; dev?: string }[]).map((x) => ({ dst: x.dst, gw: x.gateway, dev: x.dev }));
  return { link, routes: [...parse(r4.stdout), ...parse(r6.stdout)] };
}
