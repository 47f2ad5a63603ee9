// GC (1.1.0): release allocations and delete host veths of attachments the runtime no longer
// knows (`cni.dev/valid-attachments`). STATUS (1.1.0): ready when IPAM can allocate.
import { CniCode, CniError, notAvailable } from '../errors.js';
import { ipamGC, ipamStatus } from '../ipam/ops.js';
import { bridgePorts, deleteLink } from '../link/apply.js';
import { HOST_VETH_RE, hostVethName } from '../link/plan.js';
import type { CniEnv } from '../env.js';
import type { NetConf } from '../netconf.js';

export async function cmdGC(conf: NetConf, env: CniEnv, stdin: string): Promise<{ released: number; links: string[] }> {
  const released = await ipamGC(conf, env, stdin);
  const keep = new Set((conf.validAttachments ?? []).map((a) => hostVethName(a.containerID, a.ifname)));
  const stale = (await bridgePorts(conf.bridge)).filter((l) => l.kind === 'veth' && HOST_VETH_RE.test(l.name) && !keep.has(l.name));
  for (const l of stale) await deleteLink(l.name);
  return { released, links: stale.map((l) => l.name) };
}

export async function cmdStatus(conf: NetConf, env: CniEnv, stdin: string): Promise<void> {
  try {
    await ipamStatus(conf, env, stdin);
  } catch (e) {
    if (e instanceof CniError && e.code !== CniCode.Internal) throw e;
    throw notAvailable('podnet IPAM is not available', (e as Error).message);
  }
}
