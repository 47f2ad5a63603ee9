// Pod-to-pod TCP throughput with iperf3 (single stream): same node and across nodes in a podnet lab,
// against a bare veth pair between two fresh namespaces. Clients only ever run inside lab (or bench)
// namespaces, each run is bounded, and baseline and podnet runs alternate so noise hits both.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { labUp } from '../src/lab/daemon/launch.js';
import { LabClient } from '../src/lab/daemon/client.js';
import { podNetns } from '../src/lab/names.js';
import { run } from '../src/sys/exec.js';
import { processStart, sleep, terminate } from '../src/sys/proc.js';
import type { V1Pod } from '../src/api/types.js';
import { deleteNetns, downLab, isInterrupted, trackLab, trackNetns, trackPid, untrackPid } from './cleanup.js';
import { median } from './report.js';

export const TP_LAB = 'pnbench-tp';
const PORT = 5201;

export interface PathResult {
  /** bits per second, one per repetition */
  runs: number[];
  median: number;
}

export interface ThroughputResult {
  backend: string;
  podMtu: number | undefined;
  sameNode: PathResult;
  crossNode: PathResult;
  /** the bare veth baseline, measured interleaved with this lab's runs */
  baseline: PathResult;
  /** median over repetitions of (podnet run / baseline run of the same repetition): noise-robust */
  sameRatio: number;
  crossRatio: number;
}

function pairedRatio(xs: number[], base: number[]): number {
  return median(xs.map((x, i) => x / base[i]));
}

function result(runs: number[]): PathResult {
  return { runs, median: median(runs) };
}

/** One bounded iperf3 client run inside `netns`; retries briefly while the server is not ready/busy. */
export async function iperf(netns: string, ip: string, seconds: number): Promise<number> {
  let last = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    if (isInterrupted()) throw new Error('interrupted');
    const r = await run('ip', ['netns', 'exec', netns, 'iperf3', '-c', ip, '-p', String(PORT), '-t', String(seconds), '-J', '--connect-timeout', '2000'], {
      allowFail: true,
      timeoutMs: (seconds + 10) * 1000,
    });
    try {
      const j = JSON.parse(r.stdout) as { error?: string; end?: { sum_received?: { bits_per_second?: number } } };
      const bps = j.end?.sum_received?.bits_per_second;
      if (!j.error && bps) return bps;
      last = j.error ?? 'no result';
    } catch {
      last = r.stderr.trim() || `exit ${r.code}`;
    }
    await sleep(300);
  }
  throw new Error(`iperf3 -c ${ip} in ${netns}: ${last}`);
}

/** Two fresh namespaces joined by a bare veth pair, an iperf3 server in one (started and killed by us). */
export class VethBaseline {
  readonly client: string;
  readonly server: string;
  readonly serverIp = '10.254.254.2';
  private pid: number | undefined;

  constructor() {
    const id = randomBytes(3).toString('hex');
    this.client = `pnbench-veth-${id}-a`;
    this.server = `pnbench-veth-${id}-b`;
  }

  async start(): Promise<void> {
    for (const ns of [this.client, this.server]) {
      await run('ip', ['netns', 'add', ns]);
      trackNetns(ns);
    }
    // Created inside the client namespace, so no link ever appears in the host namespace.
    await run('ip', ['-n', this.client, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1', 'netns', this.server]);
    await run('ip', ['-n', this.client, 'addr', 'add', '10.254.254.1/30', 'dev', 'veth0']);
    await run('ip', ['-n', this.server, 'addr', 'add', `${this.serverIp}/30`, 'dev', 'veth1']);
    for (const ns of [this.client, this.server]) {
      await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await run('ip', ['-n', ns, 'link', 'set', ns === this.client ? 'veth0' : 'veth1', 'up']);
    }
    // `ip netns exec` execs iperf3 in place, so the pid we get is iperf3's own.
    const child = spawn('ip', ['netns', 'exec', this.server, 'iperf3', '-s', '-p', String(PORT), '-B', this.serverIp], { stdio: 'ignore' });
    if (child.pid === undefined) throw new Error('could not start the baseline iperf3 server');
    this.pid = child.pid;
    trackPid(child.pid, processStart(child.pid));
    child.on('exit', () => this.pid !== undefined && untrackPid(this.pid));
    // wait until it listens
    for (let i = 0; i < 50; i++) {
      const ss = await run('ss', ['-N', this.server, '-ltn', `sport = :${PORT}`], { allowFail: true });
      if (ss.stdout.includes(`:${PORT}`)) return;
      await sleep(50);
    }
    throw new Error('baseline iperf3 server did not start listening');
  }

  measure(seconds: number): Promise<number> {
    return iperf(this.client, this.serverIp, seconds);
  }

  async stop(): Promise<void> {
    if (this.pid !== undefined) {
      await terminate([{ pid: this.pid }], 1000);
      untrackPid(this.pid);
      this.pid = undefined;
    }
    await deleteNetns(this.client);
    await deleteNetns(this.server);
  }
}

function podOf(pods: V1Pod[], name: string): V1Pod {
  const p = pods.find((x) => x.metadata?.name === name);
  if (!p?.status?.podIP) throw new Error(`throughput lab: pod ${name} has no IP`);
  return p;
}

/** Brings up the throughput lab for `backend`, measures reps x (baseline, same-node, cross-node), takes it down. */
export async function benchThroughput(root: string, backend: string, baseline: VethBaseline, reps: number, seconds: number): Promise<ThroughputResult> {
  trackLab(TP_LAB);
  try {
    await labUp({ files: [join(root, 'bench', 'manifests', 'throughput.yaml')], name: TP_LAB, nodes: 3, backend });
    const client = new LabClient(TP_LAB);
    const pods = (await client.list('Pod')) as unknown as V1Pod[];
    const server = podOf(pods, 'iperf-server');
    const same = podOf(pods, 'client-same');
    const cross = podOf(pods, 'client-cross');
    if (same.spec?.nodeName !== server.spec?.nodeName || cross.spec?.nodeName === server.spec?.nodeName) {
      throw new Error(`throughput lab: unexpected placement server=${server.spec?.nodeName} same=${same.spec?.nodeName} cross=${cross.spec?.nodeName}`);
    }
    const status = await client.status();
    const podMtu = status.nodes.find((n) => n.name === server.spec?.nodeName)?.podMTU;
    const ns = (p: V1Pod) => podNetns(TP_LAB, p.metadata?.namespace ?? 'default', p.metadata?.name ?? '');
    const serverIp = server.status!.podIP!;
    const b: number[] = [];
    const s: number[] = [];
    const c: number[] = [];
    for (let i = 0; i < reps; i++) {
      // rotate the order so no path always runs first (or right after the same neighbour)
      const steps: [number[], () => Promise<number>][] = [
        [b, () => baseline.measure(seconds)],
        [s, () => iperf(ns(same), serverIp, seconds)],
        [c, () => iperf(ns(cross), serverIp, seconds)],
      ];
      for (let k = 0; k < steps.length; k++) {
        const [into, fn] = steps[(k + i) % steps.length];
        into.push(await fn());
      }
    }
    return { backend, podMtu, sameNode: result(s), crossNode: result(c), baseline: result(b), sameRatio: pairedRatio(s, b), crossRatio: pairedRatio(c, b) };
  } finally {
    await downLab(TP_LAB);
  }
}
