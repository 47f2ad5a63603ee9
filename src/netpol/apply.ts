// The thin, impure end of NetworkPolicy: one node's plan into its netns with one atomic `nft -f`,
// the whole table the first time, then only the difference from what was last applied. A failed
// transaction changes nothing in the kernel, but what we believe is applied may be wrong: forget it,
// so the next sync replaces the whole table (kube-proxy's resync after a failed restore). After a
// change, connections the new policies forbid are cut (see conntrack.ts).
import { run, type RunOptions, type RunResult } from '../sys/exec.js';
import { conntrackDeleteArgs, flowsToCut, parseConntrack } from './conntrack.js';
import { PolicyModel } from './model.js';
import type { PolicyPlan } from './plan.js';
import { renderDelete, renderFull, renderUpdate } from './render.js';
import type { PolicyWorld } from './types.js';

export type Exec = (cmd: string, args: string[], opts?: RunOptions) => Promise<RunResult>;

export interface PolicyApplierOptions {
  /** The node's network namespace (default: the current one). */
  netns?: string;
  /** Runs host programs; tests pass a fake. */
  exec?: Exec;
  /** Delete conntrack entries of flows the new policies deny (default true). */
  cutConnections?: boolean;
  /** Parallel `conntrack -D` runs (default 4). */
  cutConcurrency?: number;
}

export interface SyncResult {
  mode: 'full' | 'update' | 'unchanged';
  /** Size of the nft transaction. */
  bytes: number;
  /** Conntrack entries deleted, and deletions that failed. */
  cut: number;
  cutFailed: number;
  ms: number;
}

export class PolicyApplier {
  private applied?: PolicyPlan;
  private model?: PolicyModel;
  private readonly exec: Exec;
  /** Syncs run one at a time: each diff is against what the previous one applied. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: PolicyApplierOptions = {}) {
    this.exec = opts.exec ?? run;
  }

  /**
   * Makes the kernel match `plan`. Pass the world the plan came from to have connections it now
   * denies cut (the world of the previous sync is remembered for the comparison).
   */
  sync(plan: PolicyPlan, world?: PolicyWorld | PolicyModel): Promise<SyncResult> {
    const next = this.queue.then(() => this.syncNow(plan, world));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async syncNow(plan: PolicyPlan, world?: PolicyWorld | PolicyModel): Promise<SyncResult> {
    const t0 = Date.now();
    const mode = this.applied ? 'update' : 'full';
    const script = this.applied ? renderUpdate(this.applied, plan) : renderFull(plan);
    const after = world === undefined ? undefined : world instanceof PolicyModel ? world : new PolicyModel(world);
    if (script === '') {
      this.model = after ?? this.model;
      return { mode: 'unchanged', bytes: 0, cut: 0, cutFailed: 0, ms: Date.now() - t0 };
    }
    try {
      await this.exec('nft', ['-f', '-'], { input: script, netns: this.opts.netns });
    } catch (err) {
      this.forget();
      throw err;
    }
    this.applied = plan;
    let cut = { cut: 0, failed: 0 };
    if (after && this.opts.cutConnections !== false) cut = await this.cut(this.model, after);
    this.model = after;
    return { mode, bytes: script.length, cut: cut.cut, cutFailed: cut.failed, ms: Date.now() - t0 };
  }

  /** Next sync replaces the whole table. */
  forget(): void {
    this.applied = undefined;
    this.model = undefined;
  }

  /** Removes the table (the node stops enforcing policy). */
  async remove(): Promise<void> {
    const table = this.applied?.table ?? 'podnet-policy';
    this.forget();
    await this.exec('nft', ['-f', '-'], { input: renderDelete({ table }), netns: this.opts.netns });
  }

  private async cut(before: PolicyModel | undefined, after: PolicyModel): Promise<{ cut: number; failed: number }> {
    const listed = await Promise.all(['ipv4', 'ipv6'].map((f) => this.exec('conntrack', ['-L', '-f', f], { netns: this.opts.netns, allowFail: true })));
    const entries = listed.flatMap((r) => (r.code === 0 ? parseConntrack(r.stdout) : []));
    const doomed = flowsToCut(before, after, entries);
    let failed = 0;
    const queue = [...doomed];
    const worker = async () => {
      for (let e = queue.shift(); e; e = queue.shift()) {
        // Exit status 1 with "0 flow entries" means the entry went away by itself: not a failure.
        const r = await this.exec('conntrack', conntrackDeleteArgs(e), { netns: this.opts.netns, allowFail: true });
        if (r.code !== 0 && !/0 flow entries/.test(r.stderr)) failed++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.opts.cutConcurrency ?? 4) }, worker));
    return { cut: doomed.length - failed, failed };
  }
}
