// Container processes: started in the pod's namespaces, logs appended to a file, restarted per the
// pod's restartPolicy with a capped back-off (as the kubelet's CrashLoopBackOff).
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { isAlive, processStart, terminate } from './proc.js';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface ContainerState {
  state: 'waiting' | 'running' | 'terminated';
  pid?: number;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  reason?: string;
  message?: string;
  restartCount: number;
}

export interface ProcessSpec {
  argv: string[];
  env: Record<string, string>;
  logFile: string;
  restartPolicy: RestartPolicy;
  /** Called on every state change, so the pod's status can follow. */
  onChange: (state: ContainerState) => void;
  /** Called with each started process, before anything else runs (write-ahead for teardown). */
  onSpawn?: (pid: number, start: string) => void;
}

const BACKOFF_MS = [500, 1000, 2000, 5000, 10000];

export class SupervisedProcess {
  private state: ContainerState = { state: 'waiting', restartCount: 0, reason: 'ContainerCreating' };
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private start = '';

  constructor(private readonly spec: ProcessSpec) {}

  get current(): ContainerState {
    return this.state;
  }

  launch(): void {
    if (this.stopped) return;
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    const fd = openSync(this.spec.logFile, 'a');
    const child = spawn(this.spec.argv[0], this.spec.argv.slice(1), {
      env: this.spec.env,
      stdio: ['ignore', fd, fd],
      detached: true, // its own process group: a signal to the lab's CLI never reaches it
    });
    closeSync(fd);
    child.on('error', (err) => {
      this.set({ state: 'waiting', reason: 'RunContainerError', message: err.message, restartCount: this.state.restartCount });
      this.scheduleRestart(127);
    });
    if (child.pid === undefined) return;
    this.start = processStart(child.pid);
    this.spec.onSpawn?.(child.pid, this.start);
    this.set({ state: 'running', pid: child.pid, startedAt: new Date().toISOString(), restartCount: this.state.restartCount });
    child.on('exit', (code, signal) => {
      const exitCode = code ?? 128 + (signal ? signalNumber(signal) : 0);
      this.set({
        state: 'terminated', exitCode, startedAt: this.state.startedAt, finishedAt: new Date().toISOString(),
        reason: exitCode === 0 ? 'Completed' : 'Error', restartCount: this.state.restartCount,
      });
      this.scheduleRestart(exitCode);
    });
  }

  private scheduleRestart(exitCode: number): void {
    if (this.stopped) return;
    const policy = this.spec.restartPolicy;
    if (policy === 'Never' || (policy === 'OnFailure' && exitCode === 0)) return;
    const delay = BACKOFF_MS[Math.min(this.state.restartCount, BACKOFF_MS.length - 1)];
    this.state = { ...this.state, restartCount: this.state.restartCount + 1 };
    if (exitCode !== 0) this.set({ ...this.state, state: 'waiting', reason: 'CrashLoopBackOff' });
    this.timer = setTimeout(() => this.launch(), delay);
  }

  private set(state: ContainerState): void {
    this.state = state;
    this.spec.onChange(state);
  }

  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const pid = this.state.pid;
    if (pid !== undefined && this.state.state === 'running' && isAlive(pid, this.start)) {
      await terminate([{ pid, start: this.start }], graceMs);
    }
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return table[signal] ?? 0;
}
