// Everything the bench creates is registered here as it is created, so one function can remove it:
// from `finally` on the normal path, and from the SIGINT/SIGTERM handler on Ctrl-C.
import { run } from '../src/sys/exec.js';
import { terminate } from '../src/sys/proc.js';
import { labDown } from '../src/lab/daemon/launch.js';

const labs = new Set<string>();
const netns = new Set<string>();
const pids = new Map<number, string>(); // pid -> process start time (so a recycled pid is never hit)

export function trackLab(name: string): void {
  labs.add(name);
}

export function trackNetns(name: string): void {
  netns.add(name);
}

export function trackPid(pid: number, start: string): void {
  pids.set(pid, start);
}

export function untrackPid(pid: number): void {
  pids.delete(pid);
}

/** Removes a lab now (and forgets it); tolerates a lab that is already gone. */
export async function downLab(name: string): Promise<void> {
  try {
    await labDown(name);
  } catch (err) {
    if (!/no lab named/.test((err as Error).message)) throw err;
  } finally {
    labs.delete(name);
  }
}

export async function deleteNetns(name: string): Promise<void> {
  await run('ip', ['netns', 'del', name], { allowFail: true });
  netns.delete(name);
}

/** Kills the processes we started (by pid), takes down our labs, deletes our namespaces. */
export async function cleanupAll(): Promise<string[]> {
  const problems: string[] = [];
  await terminate([...pids].map(([pid, start]) => ({ pid, start })), 1000);
  pids.clear();
  for (const lab of [...labs]) {
    await downLab(lab).catch((err: Error) => problems.push(`labDown ${lab}: ${err.message}`));
  }
  for (const ns of [...netns]) await deleteNetns(ns);
  return problems;
}

let interrupted = false;

export function isInterrupted(): boolean {
  return interrupted;
}

/**
 * Ctrl-C: clean up what we registered, give the running section a moment to unwind its own
 * `finally` (bench/cni.ts removes its namespaces there), then exit 130. A second Ctrl-C exits at once.
 */
export function installSignalHandlers(running: () => Promise<unknown>): void {
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${sig}: cleaning up (press Ctrl-C again to exit at once)...\n`);
    void (async () => {
      const problems = await cleanupAll();
      for (const p of problems) process.stderr.write(`cleanup: ${p}\n`);
      const settle = new Promise((r) => setTimeout(r, 5000));
      await Promise.race([running().catch(() => undefined), settle]);
      await cleanupAll(); // whatever the unwinding section registered meanwhile
      process.exit(130);
    })();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
