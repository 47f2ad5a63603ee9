// The probing loop for one container instance, as the kubelet's prober worker runs it
// (pkg/kubelet/prober/worker.go): each probe runs every periodSeconds once initialDelaySeconds have
// passed since the container started; results pass through success/failure thresholds, and only
// changes are reported. A startup probe holds the others off until it succeeds; a failed liveness
// or startup probe is reported once and probing stops until the daemon tracks the next instance.
// Clock, timers and the actual check are injected, so the state machine is tested without I/O.
import type { ContainerProbes, ProbeAction, ProbeKind, ProbeResult, ProbeSpec, ProberEvent } from './types.js';

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface CheckOutcome {
  ok: boolean;
  /** Why it failed (or a warning on success). */
  message?: string;
}

/** Runs one check and settles within about `timeoutMs`; never rejects for a failed check. */
export type Checker = (action: ProbeAction, timeoutMs: number) => Promise<CheckOutcome>;

/** A probe's threshold state: the kubelet's lastResult/resultRun, and the result last reported. */
export interface Threshold {
  last?: ProbeResult;
  run: number;
  current: ProbeResult | 'unknown';
}

/** As the kubelet initialises results: not ready until proven, alive until proven dead, startup unknown. */
export function initialThreshold(kind: ProbeKind): Threshold {
  return { run: 0, current: kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : 'unknown' };
}

/** One probe result in; the new state, and whether the reported result flipped. */
export function observe(t: Threshold, result: ProbeResult, spec: Pick<ProbeSpec, 'successThreshold' | 'failureThreshold'>): { next: Threshold; flipped: boolean } {
  const run = t.last === result ? t.run + 1 : 1;
  const needed = result === 'success' ? spec.successThreshold : spec.failureThreshold;
  if (run < needed) return { next: { ...t, last: result, run }, flipped: false };
  return { next: { last: result, run, current: result }, flipped: t.current !== result };
}

export interface WorkerDeps {
  timers: Timers;
  check: Checker;
  emit: (event: ProberEvent) => void;
  /** Every individual probe outcome, for logging. */
  onProbe?: (kind: ProbeKind, outcome: CheckOutcome) => void;
}

interface Slot {
  spec: ProbeSpec;
  threshold: Threshold;
  timer?: unknown;
}

export class ContainerProber {
  private readonly slots = new Map<ProbeKind, Slot>();
  private stopped = false;

  constructor(
    readonly id: string,
    readonly instance: number,
    private readonly startedAt: number,
    probes: ContainerProbes,
    private readonly deps: WorkerDeps,
  ) {
    for (const kind of ['startup', 'readiness', 'liveness'] as const) {
      const spec = probes[kind];
      if (spec) this.slots.set(kind, { spec, threshold: initialThreshold(kind) });
    }
  }

  start(): void {
    if (this.slots.has('startup')) this.schedule('startup', this.firstDelay('startup'));
    else this.startMain();
  }

  /** Stops all probing; a check still in flight is ignored when it settles. */
  stop(): void {
    this.stopped = true;
    for (const slot of this.slots.values()) if (slot.timer !== undefined) this.deps.timers.clearTimeout(slot.timer);
  }

  private startMain(): void {
    for (const kind of ['readiness', 'liveness'] as const) if (this.slots.has(kind)) this.schedule(kind, this.firstDelay(kind));
  }

  private firstDelay(kind: ProbeKind): number {
    const spec = (this.slots.get(kind) as Slot).spec;
    return Math.max(0, this.startedAt + spec.initialDelayMs - this.deps.timers.now());
  }

  private schedule(kind: ProbeKind, delayMs: number): void {
    if (this.stopped) return;
    const slot = this.slots.get(kind) as Slot;
    slot.timer = this.deps.timers.setTimeout(() => void this.run(kind), delayMs);
  }

  private async run(kind: ProbeKind): Promise<void> {
    const slot = this.slots.get(kind) as Slot;
    slot.timer = undefined;
    if (this.stopped) return;
    const begun = this.deps.timers.now();
    let outcome: CheckOutcome;
    try {
      outcome = await this.deps.check(slot.spec.action, slot.spec.timeoutMs);
    } catch (e) {
      outcome = { ok: false, message: (e as Error).message };
    }
    if (this.stopped) return;
    this.deps.onProbe?.(kind, outcome);
    const result: ProbeResult = outcome.ok ? 'success' : 'failure';
    const { next, flipped } = observe(slot.threshold, result, slot.spec);
    slot.threshold = next;
    if (flipped) {
      this.deps.emit({ id: this.id, instance: this.instance, probe: kind, result, message: outcome.message, at: this.deps.timers.now() });
    }
    if (kind !== 'readiness' && next.current === 'failure') {
      // The container will be killed: stop probing it (the kubelet puts its worker on hold).
      this.stop();
      return;
    }
    if (kind === 'startup' && next.current === 'success') {
      // Started: the startup probe is done for this instance; the others begin now.
      this.startMain();
      return;
    }
    this.schedule(kind, Math.max(0, begun + slot.spec.periodMs - this.deps.timers.now()));
  }
}
