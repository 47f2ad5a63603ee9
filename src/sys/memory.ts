// Resident memory of a process tree, from /proc: the lab's daemon and everything it started (node
// agents, probers, containers). Two sums, because they answer different questions:
// - rss: the sum of every process's VmRSS. Pages shared between processes (the node binary's text,
//   mapped by every Node.js process) are counted once per process, so this overstates the total.
// - pss: the sum of Pss (smaps_rollup): each shared page split between the processes mapping it,
//   so the sum is what the tree really holds in RAM (shared pages counted once).
import { readdirSync, readFileSync } from 'node:fs';
import { statFields } from './proc.js';

export interface TreeMemory {
  processes: number;
  rssBytes: number;
  pssBytes: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Every pid with its parent, from /proc/PID/stat (field 4). */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(Number(name));
    if (fields) out.set(Number(name), Number(fields[1]));
  }
  return out;
}

/** `root` and its descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const tree: number[] = [];
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop() as number;
    tree.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** A `Key:   123 kB` line of a /proc status-like file, in bytes. */
export function kbField(text: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

export function treeMemory(root: number): TreeMemory {
  let processes = 0;
  let rssBytes = 0;
  let pssBytes = 0;
  for (const pid of processTree(root)) {
    const status = read(`/proc/${pid}/status`);
    if (!status) continue; // gone meanwhile
    processes++;
    rssBytes += kbField(status, 'VmRSS');
    pssBytes += kbField(read(`/proc/${pid}/smaps_rollup`) ?? '', 'Pss');
  }
  return { processes, rssBytes, pssBytes };
}
