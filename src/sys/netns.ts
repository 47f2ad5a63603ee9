// Network namespaces, by name under /run/netns (iproute2's convention, so `ip netns` sees them).
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

/** PIDs of processes whose network namespace is `name` (`ip netns pids`). */
export async function netnsPids(name: string): Promise<number[]> {
  const r = await run('ip', ['netns', 'pids', name], { allowFail: true });
  return r.stdout.split(/\s+/).filter(Boolean).map(Number).filter((n) => n > 0 && n !== process.pid);
}

export async function setSysctls(netns: string, values: Record<string, string>): Promise<void> {
  const args = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  if (args.length) await run('sysctl', ['-q', '-w', ...args], { netns });
}
