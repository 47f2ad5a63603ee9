// CPU time of a lab's process tree by process group, from /proc: where `up` spends the machine.
// Each live process's own user+system time goes to its group (a Node.js process is named by its
// script, anything else by its program); the time of children already reaped (ip, nft, unshare,
// the CNI shim: one-shot helpers) is counted under "<parent group> (exited children)".
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { processTree } from '../src/sys/memory.js';
import { statFields } from '../src/sys/proc.js';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

const NAMES: Readonly<Record<string, string>> = {
  'daemon-main': 'daemon',
  'agent-main': 'CNI agents',
  'dns-main': 'DNS pods',
  'agnhost-main': 'agnhost (Node.js)',
  netexec: 'netexec (C)',
  pause: 'pause (C)',
};

function groupOf(pid: number, root: number): string {
  if (pid === root) return 'daemon';
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return 'gone';
  }
  const prog = basename(argv[0] ?? '?');
  const script = prog === 'node' ? (argv.find((a, i) => i > 0 && !a.startsWith('-')) ?? 'node') : prog;
  const name = basename(script).replace(/\.js$/, '');
  return NAMES[name] ?? name;
}

/** Seconds of CPU per group, largest first. */
export function treeCpu(root: number): [string, number][] {
  const groups = new Map<string, number>();
  const add = (g: string, ticks: number) => groups.set(g, (groups.get(g) ?? 0) + ticks / TICKS_PER_SECOND);
  for (const pid of processTree(root)) {
    const f = statFields(pid);
    if (!f) continue;
    // After the command name: state is [0], utime [11], stime [12], cutime [13], cstime [14].
    const g = groupOf(pid, root);
    add(g, Number(f[11]) + Number(f[12]));
    const reaped = Number(f[13]) + Number(f[14]);
    if (reaped > 0) add(`${g} (exited children)`, reaped);
  }
  return [...groups.entries()].sort((a, b) => b[1] - a[1]);
}

/** "CPU 12.3 s: daemon 4.1 s, CNI agents 2.0 s, ..." */
export function cpuLine(groups: [string, number][]): string {
  const total = groups.reduce((s, [, v]) => s + v, 0);
  return `CPU ${total.toFixed(1)} s: ${groups.filter(([, v]) => v >= 0.05).map(([g, v]) => `${g} ${v.toFixed(2)} s`).join(', ')}`;
}

// `node dist/bench/lab-cpu.js LAB`: the line for a running lab (its daemon's pid from /run/podnet).
if (process.argv[1]?.endsWith('lab-cpu.js') && process.argv[2]) {
  const { daemonPid } = await import('../src/lab/daemon/launch.js');
  const pid = daemonPid(process.argv[2]);
  if (pid === undefined) {
    console.error(`lab ${process.argv[2]} is not running`);
    process.exit(1);
  }
  console.log(cpuLine(treeCpu(pid)));
}
