// DEL: remove the node's neighbour entries for the pod, delete the veth pair, release the addresses.
// Succeeds when any of it is already gone (SPEC.md: "Plugins should generally complete a DEL action
// without error even if some resources are missing"), including when the pod netns no longer exists
// (its end of the pair died with it) or the bridge is gone. The entries go before the release, so
// that a new pod given the same address at once does not lose the entry its ADD wrote.
import { ipamAddresses, ipamDel } from '../ipam/ops.js';
import { deleteLink } from '../link/apply.js';
import { hostVethName, nodeNeighDelLines } from '../link/plan.js';
import { nodeIp } from '../agent/ip-batch.js';
import type { CniEnv } from '../env.js';
import type { NetConf } from '../netconf.js';

export async function cmdDel(conf: NetConf, env: CniEnv, stdin: string): Promise<void> {
  const addrs = await ipamAddresses(conf, env);
  await nodeIp.run(nodeNeighDelLines(conf.bridge, addrs)).catch((e: Error) => {
    if (!/Cannot find device|does not exist/.test(e.message)) throw e;
  });
  // The session's ip caches link names once a `neigh` line has run; a veth deleted behind its back
  // and created again under the same name (a repeated ADD of this container) would hit a stale
  // ifindex, so the next request starts a fresh session.
  if (await deleteLink(hostVethName(env.containerID, env.ifname))) nodeIp.restart();
  await ipamDel(conf, env, stdin);
}
