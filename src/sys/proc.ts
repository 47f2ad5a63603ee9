// Processes: identity (pid + start time, so a recycled pid is never mistaken for ours) and signals.
import { readFileSync } from 'node:fs';

/** The fields of /proc/PID/stat after the command name (the state, field 3, first); undefined when gone. */
export function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot); '' when the process is gone. */
export function processStart(pid: number): string {
  return statFields(pid)?.[19] ?? '';
}

/**
 * Running, not merely unreaped: an exited child whose parent died waits as a zombie until PID 1
 * reaps it, and some machines' PID 1 (a container's agent) reaps late. A zombie holds its pid, so
 * pid + start time still names it uniquely, but it runs nothing and ignores signals.
 */
export function isAlive(pid: number, start?: string): boolean {
  const f = statFields(pid);
  return f !== undefined && f[0] !== 'Z' && (start === undefined || f[19] === start);
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

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
