// The daemon's side of probing, as the kubelet's prober manager: one prober process per node (in
// the node's network namespace, see daemon/agents.ts startProber) is told which container runs to
// probe; the flips it reports become containerStatuses[].ready/.started, and a failed liveness or
// startup probe kills that run so its supervisor restarts it. The manager holds the truth (what is
// tracked, which results are in), so a prober that dies is restarted and simply told again.
import type { V1Pod } from '../../api/types.js';
import type { ContainerState } from '../../sys/supervisor.js';
import { containerProbes, killGraceMs } from './spec.js';
import { parseEvent, PROBER_READY, type ContainerReadiness, type ProberCommand, type ProberEvent } from './types.js';

/** The line channel to one node's prober. */
export interface ProberChannel {
  send(line: string): void;
  stop(): void;
}

export type StartProber = (node: string, onLine: (line: string) => void, onExit: (why: string) => void) => Promise<ProberChannel>;

/** What the manager needs of a pod sandbox; daemon/pod-runtime.ts PodSandbox fits. */
export interface ProbedPod {
  readonly pod: V1Pod;
  readonly namespace: string;
  readonly name: string;
  readonly node: { name: string };
  readonly ips: string[];
  readonly execPrefix: string[];
  readonly env: Map<string, Record<string, string>>;
  killContainer(name: string, pid: number, graceMs: number): Promise<void>;
}

export interface ReadinessOptions {
  startProber: StartProber;
  /** A pod's probe results changed (`namespace/name`): refresh its status now. */
  onChange: (podKey: string) => void;
  log?: (line: string) => void;
  now?: () => number;
  /** First wait before restarting a prober that died; doubles up to 30 s. */
  restartDelayMs?: number;
}

interface Tracked {
  sb: ProbedPod;
  container: string;
  node: string;
  /** The run being probed; undefined while the container is not running. */
  pid?: number;
  command?: ProberCommand;
  hasStartup: boolean;
  hasReadiness: boolean;
  startupOk: boolean;
  readinessOk: boolean;
}

const MAX_RESTART_MS = 30_000;
const KEEP_LATENCIES = 200;

export class ReadinessManager {
  private readonly pods = new Map<string, Map<string, Tracked>>();
  private readonly probers = new Map<string, ProberChannel>();
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private readonly latencies: number[] = [];
  private stopped = false;
  private readonly log: (line: string) => void;
  private readonly now: () => number;

  constructor(private readonly opts: ReadinessOptions) {
    this.log = opts.log ?? ((line) => process.stderr.write(`${new Date().toISOString()} readiness: ${line}\n`));
    this.now = opts.now ?? Date.now;
  }

  /** Starts the probers of these nodes; rejects if one does not come up. */
  async start(nodes: string[]): Promise<void> {
    await Promise.all(nodes.map((n) => this.startNode(n, this.opts.restartDelayMs ?? 1000)));
  }

  private async startNode(node: string, nextDelayMs: number): Promise<void> {
    const base = this.opts.restartDelayMs ?? 1000;
    const since = this.now();
    // The back-off grows only while probers die young.
    const onExit = (why: string) => this.onExit(node, why, this.now() - since > 60_000 ? base : nextDelayMs);
    const channel = await this.opts.startProber(node, (line) => this.onLine(line), onExit);
    if (this.stopped) return channel.stop();
    this.probers.set(node, channel);
    for (const rec of this.all()) if (rec.node === node && rec.command) channel.send(JSON.stringify(rec.command));
  }

  /**
   * A container's state changed; call it before refreshing the pod's status. A new run (new pid)
   * starts unready and is probed afresh; a container that stopped running is no longer probed.
   */
  containerChanged(sb: ProbedPod, container: string, state: ContainerState): void {
    const key = `${sb.namespace}/${sb.name}`;
    const index = sb.pod.spec?.containers?.findIndex((c) => c.name === container) ?? -1;
    const spec = sb.pod.spec?.containers?.[index];
    if (!spec || !(spec.startupProbe || spec.readinessProbe || spec.livenessProbe)) return; // running is ready
    let rec = this.pods.get(key)?.get(container);
    const running = state.state === 'running' && state.pid !== undefined;
    // A first run, or a pod recreated under the same name (whose old sandbox's late news must not
    // touch the new one): a fresh record, from a running container only.
    if (!rec || rec.sb !== sb) {
      if (!running) return;
      rec = { sb, container, node: sb.node.name, hasStartup: !!spec.startupProbe, hasReadiness: !!spec.readinessProbe, startupOk: false, readinessOk: false };
      if (!this.pods.has(key)) this.pods.set(key, new Map());
      this.pods.get(key)?.set(container, rec);
    }
    if (running && rec.pid === state.pid) return;
    const id = `${key}/${container}`;
    rec.startupOk = false;
    rec.readinessOk = false;
    rec.command = undefined;
    if (!running) {
      if (rec.pid !== undefined) this.send(rec.node, { op: 'untrack', id });
      rec.pid = undefined;
      return;
    }
    rec.pid = state.pid;
    const { probes, errors } = containerProbes(sb.pod, index, { podIP: sb.ips[0], execPrefix: sb.execPrefix, env: sb.env.get(container) ?? {} });
    // As the kubelet, a probe that cannot run never reports: unready (or not started) for good.
    for (const e of errors) this.log(`pod ${key}: ${e.message}; that probe will not run`);
    if (!probes.startup && !probes.readiness && !probes.liveness) return;
    const startedAt = Date.parse(state.startedAt ?? '');
    rec.command = { op: 'track', id, instance: rec.pid as number, startedAt: Number.isNaN(startedAt) ? this.now() : startedAt, probes };
    this.send(rec.node, rec.command);
  }

  /** The pod is gone (or going): stop probing its containers. */
  untrack(podKey: string): void {
    const recs = this.pods.get(podKey);
    if (!recs) return;
    this.pods.delete(podKey);
    for (const rec of recs.values()) if (rec.pid !== undefined) this.send(rec.node, { op: 'untrack', id: `${podKey}/${rec.container}` });
  }

  /** Per container of a pod with probes: what its status shows. Containers without probes are absent. */
  readiness(podKey: string): Map<string, ContainerReadiness> {
    const out = new Map<string, ContainerReadiness>();
    for (const [name, rec] of this.pods.get(podKey) ?? []) {
      const started = rec.pid !== undefined && (!rec.hasStartup || rec.startupOk);
      out.set(name, { started, ready: started && (!rec.hasReadiness || rec.readinessOk) });
    }
    return out;
  }

  /** Milliseconds from a probe reaching its threshold (in the prober) to the pod's status updated, latest last. */
  flipLatencies(): readonly number[] {
    return this.latencies;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.restartTimers) clearTimeout(t);
    for (const p of this.probers.values()) p.stop();
    this.probers.clear();
  }

  private *all(): Iterable<Tracked> {
    for (const recs of this.pods.values()) yield* recs.values();
  }

  private send(node: string, cmd: ProberCommand): void {
    this.probers.get(node)?.send(JSON.stringify(cmd));
  }

  private onLine(line: string): void {
    if (!line.trim() || line.trim() === PROBER_READY) return;
    let ev: ProberEvent;
    try {
      ev = parseEvent(line);
    } catch (e) {
      return this.log((e as Error).message);
    }
    const cut = ev.id.lastIndexOf('/');
    const podKey = ev.id.slice(0, cut);
    const rec = this.pods.get(podKey)?.get(ev.id.slice(cut + 1));
    if (!rec || rec.pid !== ev.instance) return; // a run that is already gone
    const why = ev.message ? ` (${ev.message.split('\n')[0]})` : '';
    if (ev.probe === 'readiness' || (ev.probe === 'startup' && ev.result === 'success')) {
      if (ev.probe === 'readiness') rec.readinessOk = ev.result === 'success';
      else rec.startupOk = true;
      this.opts.onChange(podKey);
      const ms = this.now() - ev.at;
      this.latencies.push(ms);
      if (this.latencies.length > KEEP_LATENCIES) this.latencies.shift();
      this.log(`${ev.id}: ${ev.probe} ${ev.result}${why}; status updated ${ms} ms after the threshold`);
      return;
    }
    if (ev.result !== 'failure') return;
    // Liveness or startup failed: kill this run; its supervisor restarts it per restartPolicy.
    const field = ev.probe === 'liveness' ? 'livenessProbe' : 'startupProbe';
    const spec = rec.sb.pod.spec?.containers?.find((c) => c.name === rec.container);
    const graceMs = killGraceMs(rec.sb.pod, spec?.[field]);
    this.log(`${ev.id}: ${ev.probe} probe failed${why}; killing pid ${ev.instance}, it will be restarted`);
    rec.sb.killContainer(rec.container, ev.instance, graceMs).catch((e: Error) => this.log(`${ev.id}: kill failed: ${e.message}`));
  }

  private onExit(node: string, why: string, delayMs: number): void {
    this.probers.delete(node);
    if (this.stopped) return;
    this.log(`prober of node ${node} ${why}; restarting it in ${delayMs} ms`);
    // Its results went with it: as after a kubelet restart, its containers are unready until probed again.
    const touched = new Set<string>();
    for (const [key, recs] of this.pods) {
      for (const rec of recs.values()) {
        if (rec.node !== node || !(rec.startupOk || rec.readinessOk)) continue;
        rec.startupOk = rec.readinessOk = false;
        touched.add(key);
      }
    }
    for (const key of touched) this.opts.onChange(key);
    const retry = (wait: number) => {
      const t = setTimeout(() => {
        this.restartTimers.delete(t);
        if (this.stopped) return;
        const next = Math.min(wait * 2, MAX_RESTART_MS);
        this.startNode(node, next).catch((e: Error) => {
          this.log(`prober of node ${node}: ${e.message}; retrying in ${next} ms`);
          retry(next);
        });
      }, wait);
      this.restartTimers.add(t);
    };
    retry(delayMs);
  }
}
