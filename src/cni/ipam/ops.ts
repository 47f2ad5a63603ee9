// The IPAM side of each verb: the built-in podnet allocator (on-disk store) or a delegated IPAM
// plugin found in CNI_PATH (e.g. the reference host-local), behind one interface.
import { CniCode, CniError, invalidConfig } from '../errors.js';
import { execPlugin } from '../exec-plugin.js';
import { isPodnetIpam, type NetConf, type PodnetIpam } from '../netconf.js';
import { DiskStore } from '../store/ipam-store.js';
import { findPlugin } from '../store/host.js';
import { parseResult } from '../version.js';
import type { CniEnv } from '../env.js';
import type { IpConfig, Route, Dns } from '../types.js';
import { allocate, garbageCollect, releaseAttachment, resultRoutes } from './allocator.js';
import { addToIp, formatIp, networkOf, parseCidr } from './ip.js';

const stores = new Map<string, DiskStore>();

export function storeFor(ipam: PodnetIpam, network: string): DiskStore {
  const dir = `${ipam.dataDir.replace(/\/+$/, '')}/${network}`;
  let s = stores.get(dir);
  if (!s) {
    s = new DiskStore(dir);
    stores.set(dir, s);
  }
  return s;
}

export interface IpamOutcome {
  ips: IpConfig[];
  routes: Route[];
  dns?: Dns;
  existing: boolean;
  /** Bookkeeping writes still in flight: await before answering (see allocator.ts). */
  saved: Promise<void>;
  /** Undo (release) when the wiring that follows fails. */
  rollback: () => Promise<void>;
}

async function delegate(conf: NetConf, env: CniEnv, command: string, stdin: string): Promise<string> {
  const path = await findPlugin(conf.ipam.type, env.path);
  if (!path) throw invalidConfig(`IPAM plugin "${conf.ipam.type}" not found in CNI_PATH ${env.path.join(':')}`);
  return execPlugin(path, { env: { ...env.raw, CNI_COMMAND: command }, stdin });
}

export async function ipamAdd(conf: NetConf, env: CniEnv, stdin: string): Promise<IpamOutcome> {
  if (isPodnetIpam(conf.ipam)) {
    const store = storeFor(conf.ipam, conf.name);
    const r = await allocate(store, conf.ipam.rangeSets, env.containerID, env.ifname);
    return {
      ips: r.ips,
      routes: resultRoutes(conf.ipam.routes, r.ips),
      dns: conf.ipam.dns,
      existing: r.existing,
      saved: r.saved,
      rollback: async () => void (await releaseAttachment(store, env.containerID, env.ifname)),
    };
  }
  const res = parseResult(JSON.parse(await delegate(conf, env, 'ADD', stdin)) as unknown);
  if (res.ips.length === 0) throw new CniError(CniCode.Internal, `IPAM plugin ${conf.ipam.type} returned no addresses`);
  // The bridge needs a gateway per family; host-local gives one, otherwise take the first address.
  const ips = res.ips.map((ip) => {
    if (ip.gateway) return { ...ip, interface: 2 };
    const c = parseCidr(ip.address);
    return { ...ip, interface: 2, ...(c ? { gateway: formatIp(addToIp(networkOf(c), 1n)) } : {}) };
  });
  return {
    ips,
    routes: resultRoutes(res.routes ?? [], ips),
    dns: res.dns,
    existing: false,
    saved: Promise.resolve(),
    rollback: async () => void (await delegate(conf, env, 'DEL', stdin)),
  };
}

/**
 * The addresses an attachment holds, for DEL to clean up after them before they are released:
 * the runtime's prevResult when it passed one, else the podnet store's index.
 */
export async function ipamAddresses(conf: NetConf, env: CniEnv): Promise<string[]> {
  if (conf.prevResult !== undefined) {
    try {
      return parseResult(conf.prevResult).ips.map((ip) => ip.address.split('/')[0]);
    } catch {
      // A prevResult we cannot read still must not fail DEL: fall through to the store.
    }
  }
  if (!isPodnetIpam(conf.ipam)) return [];
  return storeFor(conf.ipam, conf.name).byAttachment(env.containerID, env.ifname);
}

export async function ipamDel(conf: NetConf, env: CniEnv, stdin: string): Promise<void> {
  if (isPodnetIpam(conf.ipam)) {
    await releaseAttachment(storeFor(conf.ipam, conf.name), env.containerID, env.ifname);
    return;
  }
  await delegate(conf, env, 'DEL', stdin);
}

/** Verifies the attachment still owns `ips`. */
export async function ipamCheck(conf: NetConf, env: CniEnv, stdin: string, ips: IpConfig[]): Promise<void> {
  if (isPodnetIpam(conf.ipam)) {
    const store = storeFor(conf.ipam, conf.name);
    for (const ip of ips) {
      const addr = ip.address.split('/')[0];
      const o = await store.owner(addr);
      if (!o || o.containerID !== env.containerID || o.ifname !== env.ifname) {
        throw new CniError(CniCode.Internal, `IPAM: ${addr} is not allocated to ${env.containerID}/${env.ifname}`);
      }
    }
    return;
  }
  await delegate(conf, env, 'CHECK', stdin);
}

export async function ipamGC(conf: NetConf, env: CniEnv, stdin: string): Promise<number> {
  if (isPodnetIpam(conf.ipam)) {
    return (await garbageCollect(storeFor(conf.ipam, conf.name), conf.validAttachments ?? [])).length;
  }
  await delegate(conf, env, 'GC', stdin);
  return 0;
}

export async function ipamStatus(conf: NetConf, env: CniEnv, stdin: string): Promise<void> {
  if (isPodnetIpam(conf.ipam)) {
    await storeFor(conf.ipam, conf.name).writable();
    return;
  }
  await delegate(conf, env, 'STATUS', stdin);
}
