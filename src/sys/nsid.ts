// Network-namespace identities for the mesh CA's proof of who is calling: a process's network
// namespace (/proc/PID/ns/net) and a named one (/run/netns/NAME) are the same namespace exactly
// when they have the same nsfs inode.
import { readlinkSync, statSync } from 'node:fs';

/** The inode of the network namespace PID lives in, or undefined when the process is gone. */
export function netnsOfPid(pid: number): number | undefined {
  try {
    const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The inode of the named namespace (as `ip netns add` made it), or undefined. */
export function netnsOfName(name: string): number | undefined {
  try {
    return statSync(`/run/netns/${name}`).ino;
  } catch {
    return undefined;
  }
}
