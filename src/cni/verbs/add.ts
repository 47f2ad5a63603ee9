// ADD: allocate, ensure the bridge, wire the veth pair (node side through the agent's long-lived ip
// session, pod side through one `ip -batch` in the pod netns) with permanent neighbour entries on
// both sides (see link/plan.ts for why), return the result.
// Idempotent for the same container+ifname: the same addresses come back and the links are rebuilt.
// On failure everything done so far is undone (the IP released, the veth deleted).
import { invalidEnv } from '../errors.js';
import { netnsPath } from '../../sys/exec.js';
import { ipamAdd } from '../ipam/ops.js';
import { deleteLink, ensureBridge, forgetBridge } from '../link/apply.js';
import { nodeIp, startIpBatch } from '../agent/ip-batch.js';
import { bridgeMac, bridgeSpec, hostVethMac, hostVethName, macForIp, nodeLines, podLines, type AttachSpec } from '../link/plan.js';
import { netnsExists } from '../store/host.js';
import type { CniEnv } from '../env.js';
import type { NetConf } from '../netconf.js';
import type { CniResult } from '../types.js';

export async function cmdAdd(conf: NetConf, env: CniEnv, stdin: string): Promise<CniResult> {
  if (!(await netnsExists(env.netns))) throw invalidEnv(`CNI_NETNS ${env.netns} does not exist`);
  // Start the pod-side ip now; its startup overlaps with IPAM (see agent/ip-batch.ts).
  const podBatch = startIpBatch(netnsPath(env.netns));
  let ipam: Awaited<ReturnType<typeof ipamAdd>>;
  try {
    ipam = await ipamAdd(conf, env, stdin);
  } catch (e) {
    podBatch.cancel();
    throw e;
  }
  const hostVeth = hostVethName(env.containerID, env.ifname);
  const bridge = bridgeSpec(conf.bridge, conf.mtu, ipam.ips);
  const spec: AttachSpec = {
    bridge: conf.bridge,
    mtu: conf.mtu,
    hairpin: conf.hairpinMode,
    hostVeth,
    hostMac: hostVethMac(env.containerID, env.ifname),
    ifname: env.ifname,
    podMac: macForIp(ipam.ips.map((ip) => ip.address.split('/')[0])),
    gatewayMac: bridgeMac(bridge),
    netnsPath: netnsPath(env.netns),
    ips: ipam.ips,
    routes: ipam.routes,
  };
  let ok = false;
  try {
    await ensureBridge(bridge);
    // A repeated ADD: drop the old pair (if any) and rebuild it with the same addresses.
    if (ipam.existing && (await deleteLink(hostVeth))) nodeIp.restart(); // see del.ts
    await nodeIp.run(nodeLines(spec));
    await podBatch.run(podLines(spec));
    await ipam.saved; // IPAM bookkeeping, written while the links were being made
    ok = true;
  } finally {
    podBatch.cancel();
    if (!ok) {
      // Start over from the truth: the bridge may have been recreated behind our back, and the
      // session's ip caches the ifindex of names it resolved (the bridge), so restart it too.
      forgetBridge(conf.bridge);
      nodeIp.restart();
      await deleteLink(hostVeth).catch(() => false);
      // Release only once the bookkeeping has landed (the release reads the attachment index).
      await ipam.saved.catch(() => undefined);
      if (!ipam.existing) await ipam.rollback().catch(() => undefined);
    }
  }
  return {
    interfaces: [
      { name: conf.bridge, mac: bridgeMac(bridge) },
      { name: hostVeth, mac: spec.hostMac },
      { name: env.ifname, mac: spec.podMac, sandbox: env.netns },
    ],
    ips: ipam.ips,
    routes: ipam.routes,
    dns: ipam.dns ?? conf.dns ?? {},
  };
}
