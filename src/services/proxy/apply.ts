// Applies proxy plans to one node's network namespace: the nftables table (full the first time, then
// only the difference from the last applied plan), the LoadBalancer addresses the node announces on
// its uplink, and the UDP conntrack entries that still point at endpoints that went away. As in
// kube-proxy, any nft failure forgets the cached state, so the next sync starts over from a full
// replace instead of building on a state that may not be what the kernel has.
import { performance } from 'node:perf_hooks';
import { ipBatch, nftApply, onPath, run, type RunResult } from '../../sys/exec.js';
import { contains, parseCIDR } from '../../api/cidr.js';
import { renderFull, renderUpdate } from './render.js';
import { ANNOUNCE_DEVICE, type ProxyPlan, type UdpBackend } from './types.js';

export interface SyncResult {
  /** Wall time of the whole sync, rules, addresses and conntrack. */
  ms: number;
  /** True when the table was replaced in full. */
  full: boolean;
}

/** The host programs the applier runs, all inside the node's namespace; tests pass a fake. */
export interface ProxySys {
  nft(script: string, netns: string): Promise<void>;
  ipBatch(lines: string[], netns: string): Promise<void>;
  /** Runs a program, resolving even when it exits non-zero. */
  run(cmd: string, args: string[], netns: string): Promise<RunResult>;
  has(tool: string): boolean;
}

export const realSys: ProxySys = {
  nft: (script, netns) => nftApply(script, { netns }),
  ipBatch: (lines, netns) => ipBatch(lines, { netns }),
  run: (cmd, args, netns) => run(cmd, args, { netns, allowFail: true }),
  has: onPath,
};

export interface ProxyApplierOptions {
  log?: (line: string) => void;
  sys?: ProxySys;
}

const udpKey = (u: UdpBackend) => `${u.dst}|${u.port}|${u.endpoint}`;

export class ProxyApplier {
  /** The last plan nft accepted; undefined forces a full replace. */
  private applied: ProxyPlan | undefined;
  /** Addresses known to be on the uplink; undefined means "read them from the kernel first". */
  private announced: Set<string> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly log: (line: string) => void;
  private readonly sys: ProxySys;

  constructor(readonly netns: string, opts: ProxyApplierOptions = {}) {
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.sys = opts.sys ?? realSys;
  }

  /** Makes the namespace match `plan`. Syncs run one at a time, in call order. */
  sync(plan: ProxyPlan): Promise<SyncResult> {
    const next = this.queue.then(() => this.syncNow(plan));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Forgets cached state: the next sync replaces everything. */
  reset(): void {
    this.applied = undefined;
    this.announced = undefined;
  }

  private async syncNow(plan: ProxyPlan): Promise<SyncResult> {
    const t0 = performance.now();
    const prev = this.applied;
    const full = prev === undefined;
    try {
      const script = prev ? renderUpdate(prev, plan) : renderFull(plan);
      if (script) await this.sys.nft(script, this.netns);
      this.applied = plan;
    } catch (err) {
      this.applied = undefined;
      this.log(`proxy ${this.netns}: ${full ? 'full' : 'incremental'} nft sync failed, the next one is full: ${(err as Error).message}`);
      throw err;
    }
    await this.syncAnnounce(plan);
    if (prev) await this.clearStaleUdp(prev.udp, plan.udp);
    return { ms: performance.now() - t0, full };
  }

  private async currentAnnounced(pools: string[]): Promise<Set<string>> {
    const r = await this.sys.run('ip', ['-j', 'addr', 'show', 'dev', ANNOUNCE_DEVICE], this.netns);
    if (r.code !== 0) return new Set();
    const cidrs = pools.map(parseCIDR);
    const links = JSON.parse(r.stdout || '[]') as { addr_info?: { local: string; prefixlen: number }[] }[];
    const host = (a: { local: string; prefixlen: number }) => a.prefixlen === (a.local.includes(':') ? 128 : 32);
    return new Set(links.flatMap((l) => l.addr_info ?? []).filter((a) => host(a) && cidrs.some((c) => contains(c, a.local))).map((a) => a.local));
  }

  private async syncAnnounce(plan: ProxyPlan): Promise<void> {
    try {
      const have = this.announced ?? (await this.currentAnnounced(plan.announcePools));
      const want = new Set(plan.announce);
      const suffix = (ip: string) => (ip.includes(':') ? `/128 dev ${ANNOUNCE_DEVICE} nodad` : `/32 dev ${ANNOUNCE_DEVICE}`);
      const added = [...want].filter((ip) => !have.has(ip));
      const lines = [
        ...[...have].filter((ip) => !want.has(ip)).map((ip) => `addr del ${ip}${suffix(ip).replace(' nodad', '')}`),
        ...added.map((ip) => `addr add ${ip}${suffix(ip)}`),
      ];
      this.announced = undefined;
      if (lines.length) await this.sys.ipBatch(lines, this.netns);
      this.announced = want;
      // Tell the segment at once where a (moved) IPv4 address lives, as MetalLB does; best effort.
      if (this.sys.has('arping')) {
        for (const ip of added.filter((a) => !a.includes(':'))) await this.sys.run('arping', ['-U', '-c', '1', '-I', ANNOUNCE_DEVICE, ip], this.netns);
      }
    } catch (err) {
      this.log(`proxy ${this.netns}: announcing LoadBalancer addresses failed, retrying on the next sync: ${(err as Error).message}`);
      throw err;
    }
  }

  /**
   * UDP has no connection to close: a client that keeps sending from the same port would keep
   * hitting the conntrack entry of an endpoint that is gone. Delete those entries (kube-proxy does too).
   */
  private async clearStaleUdp(before: UdpBackend[], after: UdpBackend[]): Promise<void> {
    const keep = new Set(after.map(udpKey));
    for (const u of before) {
      if (keep.has(udpKey(u))) continue;
      const args = ['-D', '-p', 'udp', '--orig-dst', u.dst, '--orig-port-dst', String(u.port), '--dst-nat', u.endpoint];
      if (u.dst.includes(':')) args.unshift('-f', 'ipv6');
      // Exit 1 with "0 flow entries" when there was nothing to delete: not an error.
      const r = await this.sys.run('conntrack', args, this.netns);
      if (r.code !== 0 && !/0 flow entries/.test(r.stderr)) this.log(`proxy ${this.netns}: conntrack ${args.join(' ')}: ${r.stderr.trim()}`);
    }
  }
}
