// Network namespaces, by name under /run/netns (iproute2's convention, so `ip netns` sees them).
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { ipBatch, run } from './exec.js';

export async function addNetns(names: string[]): Promise<void> {
  await ipBatch(names.map((n) => `netns add ${n}`));
}

/** Deletes what exists; names already gone are fine (teardown must be re-runnable). */
export async function deleteNetns(names: string[]): Promise<void> {
  const present = new Set(await listNetns());
  const gone = names.filter((n) => present.has(n));
  if (gone.length) await ipBatch(gone.map((n) => `netns del ${n}`), { force: true }).catch(() => undefined);
}

export async function listNetns(): Promise<string[]> {
  try {
    return (await readdir('/run/netns')).sort();
  } catch {
    return [];
  }
}

/**
 * PIDs of processes in any of these network namespaces, from one pass over /proc (what
 * `ip netns pids` does for one namespace; a lab of 1,000 pods would run it 1,000 times).
 */
export function pidsInNetns(names: string[]): number[] {
  const inodes = new Set<string>();
  for (const n of names) {
    try {
      inodes.add(`net:[${statSync(`/run/netns/${n}`).ino}]`);
    } catch {
      // already gone
    }
  }
  if (inodes.size === 0) return [];
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (inodes.has(readlinkSync(`/proc/${entry}/ns/net`))) out.push(Number(entry));
    } catch {
      // gone meanwhile, or a kernel thread
    }
  }
  return out;
}

export async function setSysctls(netns: string, values: Record<string, string>): Promise<void> {
  const args = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  if (args.length) await run('sysctl', ['-q', '-w', ...args], { netns });
}

/**
 * UTS namespaces kept by bind mount at `file` (which must exist), each with its hostname: one `sh`
 * running `unshare --uts=FILE hostname NAME` per entry, so many pods cost one spawn from Node.js
 * (a fork of the big daemon process) instead of one each.
 */
export async function addUtsNamespaces(entries: { file: string; hostname: string }[]): Promise<void> {
  if (entries.length === 0) return;
  for (const e of entries) {
    // Hostnames are DNS labels, files our own paths; both go through `read`, so no spaces or newlines.
    if (!/^[A-Za-z0-9.-]+$/.test(e.hostname) || /[\s]/.test(e.file)) throw new Error(`bad UTS namespace entry ${JSON.stringify(e)}`);
  }
  const script = 'while read -r f h; do unshare --uts="$f" hostname "$h" || exit 1; done';
  await run('sh', ['-c', script], { input: entries.map((e) => `${e.file} ${e.hostname}\n`).join('') });
}

/** Lazily unmounts these paths, many per `umount` run; paths not mounted are fine. */
export async function unmountAll(paths: string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += 200) {
    await run('umount', ['-l', ...paths.slice(i, i + 200)], { allowFail: true });
  }
}
