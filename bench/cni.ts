// CNI ADD latency: podnet (C shim -> warm node agent) versus the reference bridge + host-local,
// each in its own throw-away node netns with the same kind of config (bridge, gateway on the
// bridge, host-local style ranges, default route). The wall time of executing the plugin binary is
// measured by a driver process running inside the node netns (so no nsenter is in the timing).
// Usage from bench/main.ts: `await benchCniAdd(50)`; standalone: `node dist/bench/cni.js 50`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { run } from '../src/sys/exec.js';
import { quantile } from './report.js';

const HERE = fileURLToPath(import.meta.url);
const ROOT = join(dirname(HERE), '..', '..');

export interface Stats {
  median: number;
  p99: number;
}

interface DriverJob {
  plugin: string;
  conf: string;
  pods: string[];
  cniPath: string;
}

function stats(times: number[]): Stats {
  const s = [...times].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return { median: round(quantile(s, 0.5)), p99: round(quantile(s, 0.99)) };
}

function execTimed(plugin: string, env: NodeJS.ProcessEnv, input: string): Promise<{ ms: number; code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(plugin, [], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, code: code ?? 1, out }));
    child.stdin.end(input);
  });
}

/** Runs inside the node netns: ADD each pod sequentially, print the latencies as JSON. */
async function driver(job: DriverJob): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < job.pods.length; i++) {
    const env = {
      PATH: process.env.PATH,
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: `bench-${i}`,
      CNI_NETNS: `/run/netns/${job.pods[i]}`,
      CNI_IFNAME: 'eth0',
      CNI_PATH: job.cniPath,
    };
    const r = await execTimed(job.plugin, env, job.conf);
    if (r.code !== 0) throw new Error(`${job.plugin} ADD failed (${r.code}): ${r.out}`);
    times.push(r.ms);
  }
  process.stdout.write(JSON.stringify(times));
}

function ipamConf(type: string, dataDir: string): Record<string, unknown> {
  return { type, ranges: [[{ subnet: '10.200.0.0/16' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir };
}

async function measure(node: string, plugin: string, conf: Record<string, unknown>, pods: string[]): Promise<number[]> {
  const job: DriverJob = { plugin, conf: JSON.stringify(conf), pods, cniPath: `${join(ROOT, 'dist', 'cni-bin')}:/usr/lib/cni` };
  const r = await run('ip', ['netns', 'exec', node, process.execPath, HERE, '--driver', JSON.stringify(job)]);
  return JSON.parse(r.stdout) as number[];
}

function startAgent(node: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', node, process.execPath, join(ROOT, 'dist', 'src', 'cni', 'agent-main.js')], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve(child));
    child.on('exit', (c) => reject(new Error(`agent exited ${c}`)));
  });
}

export async function benchCniAdd(n: number): Promise<{ podnet: Stats; reference: Stats }> {
  const p = `pnbench-cni-${randomBytes(3).toString('hex')}`;
  const tmp = `/tmp/${p}`;
  const created: string[] = [];
  let agent: ChildProcess | undefined;
  const addNs = async (name: string) => {
    await run('ip', ['netns', 'add', name]);
    created.push(name);
  };
  try {
    mkdirSync(tmp, { recursive: true });
    await addNs(`${p}-pn`);
    await addNs(`${p}-ref`);
    // One extra pod per side warms up (bridge creation, page cache); it is not counted.
    const pnPods = Array.from({ length: n + 1 }, (_, i) => `${p}-pn${i}`);
    const refPods = Array.from({ length: n + 1 }, (_, i) => `${p}-ref${i}`);
    for (const ns of [...pnPods, ...refPods]) await addNs(ns);
    agent = await startAgent(`${p}-pn`);
    const podnetConf = { cniVersion: '1.0.0', name: 'bench', type: 'podnet', bridge: 'cni0', mtu: 1500, hairpinMode: true, ipam: ipamConf('podnet', join(tmp, 'podnet')) };
    const refConf = { cniVersion: '1.0.0', name: 'bench', type: 'bridge', bridge: 'cni0', isGateway: true, mtu: 1500, hairpinMode: true, ipam: ipamConf('host-local', join(tmp, 'host-local')) };
    const podnet = (await measure(`${p}-pn`, join(ROOT, 'dist', 'cni-bin', 'podnet'), podnetConf, pnPods)).slice(1);
    const reference = (await measure(`${p}-ref`, '/usr/lib/cni/bridge', refConf, refPods)).slice(1);
    return { podnet: stats(podnet), reference: stats(reference) };
  } finally {
    if (agent?.pid && agent.exitCode === null) {
      try {
        process.kill(agent.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const ns of created.reverse()) await run('ip', ['netns', 'del', ns], { allowFail: true });
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === HERE) {
  if (process.argv[2] === '--driver') {
    await driver(JSON.parse(process.argv[3]) as DriverJob);
  } else {
    const n = Number(process.argv[2] ?? 30);
    const r = await benchCniAdd(n);
    console.log(`CNI ADD latency over ${n} pods (ms): podnet median ${r.podnet.median} p99 ${r.podnet.p99}; reference bridge+host-local median ${r.reference.median} p99 ${r.reference.p99}; ratio ${(r.podnet.median / r.reference.median).toFixed(2)}`);
  }
}
