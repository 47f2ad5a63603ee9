// DEL: release the addresses and delete the veth pair. Succeeds when any of it is already gone
// (SPEC.md: "Plugins should generally complete a DEL action without error even if some resources
// are missing"), including when the pod netns no longer exists (its end of the pair died with it).
import { ipamDel } from '../ipam/ops.js';
import { deleteLink } from '../link/apply.js';
import { hostVethName } from '../link/plan.js';
import type { CniEnv } from '../env.js';
import type { NetConf } from '../netconf.js';

export async function cmdDel(conf: NetConf, env: CniEnv, stdin: string): Promise<void> {
  await ipamDel(conf, env, stdin);
  await deleteLink(hostVethName(env.containerID, env.ifname));
}
