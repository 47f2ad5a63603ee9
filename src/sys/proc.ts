// Processes: identity (pid + start time, so a recycled pid is never mistaken for ours) and signals.
import { readFileSync } from 'node:fs';

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot); '' when the process is gone. */
export function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

/**
 * Running, not merely unreaped: an exited child whose parent died waits as a zombie until PID 1
 * reaps it, and some machines' PID 1 (a container's agent) reaps late. A zombie holds its pid, so
 * pid + start time still names it uniquely, but it runs nothing and ignores signals.
 */
export function isAlive(pid: number, start?: string): boolean {
  const now = processStart(pid);
  return now !== '' && (start === undefined || start === now) && !isZombie(pid);
}

export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL for whatever is still alive after `graceMs`. */
export async function terminate(pids: { pid: number; start?: string }[], graceMs = 2000): Promise<void> {
  const ours = pids.filter((p) => isAlive(p.pid, p.start));
  for (const p of ours) signal(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && ours.some((p) => isAlive(p.pid, p.start))) await sleep(25);
  for (const p of ours) if (isAlive(p.pid, p.start)) signal(p.pid, 'SIGKILL');
  while (ours.some((p) => isAlive(p.pid, p.start))) await sleep(10);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
