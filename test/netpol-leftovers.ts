// What one lab of the network policy tests could leave on the host, to compare before and after.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { run } from '../src/sys/exec.js';
import { listNetns } from '../src/sys/netns.js';
import { REPO } from './helpers/lab.js';

/**
 * What this lab could leave behind: its namespaces, state files and this worktree's processes, and
 * the host namespace's links and tables. (The shared hostSnapshot also sees other engineers' labs
 * on a shared machine, so it cannot tell their processes from leftovers of this test.)
 */
export async function leftovers(lab: string): Promise<Record<string, string[]>> {
  const procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((p) => {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      return cmd.includes(`${REPO}/dist/src/`) && !cmd.includes('.test.js') ? [cmd] : [];
    } catch {
      return [];
    }
  });
  return {
    netns: (await listNetns()).filter((n) => n.startsWith(`pn-${lab}-`)),
    state: existsSync(`/run/podnet/${lab}`) ? [`/run/podnet/${lab}`] : [],
    mounts: readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l.includes(`/run/podnet/${lab}/`)),
    processes: procs.sort(),
    links: (await run('ip', ['-o', 'link', 'show'])).stdout.split('\n').map((l) => l.split(': ')[1]?.split('@')[0]).filter(Boolean).sort(),
    tables: (await run('nft', ['list', 'tables'])).stdout.split('\n').filter(Boolean),
  };
}
