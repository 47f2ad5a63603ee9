// CHECK: the pod interface, its addresses and routes, the host veth and the IPAM allocation must
// all still match prevResult (SPEC.md "CHECK: Check container's networking is as expected").
import { CniCode, CniError, invalidConfig, unknownContainer } from '../errors.js';
import { ipamCheck } from '../ipam/ops.js';
import { readLink, readPod } from '../link/apply.js';
import { hostVethName, normalizeCidr } from '../link/plan.js';
import { netnsExists } from '../store/host.js';
import { parseResult } from '../version.js';
import type { CniEnv } from '../env.js';
import type { NetConf } from '../netconf.js';

const fail = (msg: string) => new CniError(CniCode.Internal, msg);

function normDst(dst: string): string {
  if (dst === 'default') return 'default';
  const n = normalizeCidr(dst);
  return n === '0.0.0.0/0' || n === '::/0' ? 'default' : n;
}

export async function cmdCheck(conf: NetConf, env: CniEnv, stdin: string): Promise<void> {
  if (conf.prevResult === undefined) throw invalidConfig('CHECK needs prevResult');
  const prev = parseResult(conf.prevResult);
  if (!(await netnsExists(env.netns))) throw unknownContainer(`CNI_NETNS ${env.netns} does not exist`);
  const sandboxIdx = (prev.interfaces ?? []).findIndex((i) => i.name === env.ifname && i.sandbox);
  const mine = prev.ips.filter((ip) => ip.interface === undefined || ip.interface === sandboxIdx);
  const { link, routes } = await readPod(env.netns, env.ifname);
  if (!link) throw fail(`interface ${env.ifname} not found in ${env.netns}`);
  const want = prev.interfaces?.[sandboxIdx];
  if (want?.mac && want.mac.toLowerCase() !== link.mac.toLowerCase()) throw fail(`${env.ifname} has MAC ${link.mac}, expected ${want.mac}`);
  if (!link.up) throw fail(`${env.ifname} is down`);
  const have = new Set(link.addrs.map(normalizeCidr));
  for (const ip of mine) {
    if (!have.has(normalizeCidr(ip.address))) throw fail(`address ${ip.address} missing on ${env.ifname}`);
  }
  for (const r of prev.routes ?? []) {
    const found = routes.some((x) => normDst(x.dst) === normDst(r.dst) && (!r.gw || x.gw === r.gw));
    if (!found) throw fail(`route ${r.dst}${r.gw ? ` via ${r.gw}` : ''} missing in ${env.netns}`);
  }
  const veth = await readLink(hostVethName(env.containerID, env.ifname));
  if (!veth) throw fail(`host veth ${hostVethName(env.containerID, env.ifname)} not found`);
  if (veth.master !== conf.bridge) throw fail(`host veth ${veth.name} is not attached to ${conf.bridge}`);
  await ipamCheck(conf, env, stdin, mine);
}
