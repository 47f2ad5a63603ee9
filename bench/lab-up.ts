// `up` time of the 30-pod demo lab for each backend, with the connectivity check as a sanity line;
// and the scale labs (30, 300, 1,000 pods): boot time and resident memory, per lab and per pod.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonPid, labUp } from '../src/lab/daemon/launch.js';
import { scaleManifests } from '../src/lab/scale-manifests.js';
import { treeMemory } from '../src/sys/memory.js';
import { sleep } from '../src/sys/proc.js';
import { checkConnectivity } from '../src/lab/check.js';
import { downLab, trackLab } from './cleanup.js';
import { treeCpu } from './lab-cpu.js';
import { median } from './report.js';

export const UP_LAB = 'pnbench';

export interface UpSample {
  backend: string;
  /** median of `runs` */
  upMs: number;
  runs: number[];
  pods: number;
  downMs: number;
  check: { passed: number; probes: number; medianMs: number; firstFailure?: string };
  /** CPU seconds per process group of the lab at the end of the first up (bench/lab-cpu.ts). */
  cpu: [string, number][];
}

/** `reps` cold ups of the demo lab (each followed by a down); the connectivity check runs after the first. */
export async function benchUp(root: string, backend: string, reps: number): Promise<UpSample> {
  trackLab(UP_LAB);
  try {
    const runs: number[] = [];
    const downs: number[] = [];
    let report: Awaited<ReturnType<typeof checkConnectivity>> | undefined;
    let pods = 0;
    let cpu: [string, number][] = [];
    for (let i = 0; i < reps; i++) {
      const up = await labUp({ files: [join(root, 'examples', 'demo')], name: UP_LAB, nodes: 3, backend });
      runs.push(up.elapsedMs);
      const pid = daemonPid(UP_LAB);
      if (i === 0 && pid !== undefined) cpu = treeCpu(pid);
      pods = up.pods.length;
      if (!report) report = await checkConnectivity(UP_LAB, up.pods);
      const t0 = Date.now();
      await downLab(UP_LAB);
      downs.push(Date.now() - t0);
    }
    const f = report!.failures[0];
    return {
      backend,
      upMs: median(runs),
      runs,
      pods,
      downMs: median(downs),
      cpu,
      check: { passed: report!.passed, probes: report!.probes, medianMs: report!.medianMs, firstFailure: f && `${f.from} -> ${f.to} ${f.ip}/${f.protocol}: ${f.problem}` },
    };
  } finally {
    await downLab(UP_LAB);
  }
}

export interface ScaleSample {
  pods: number;
  nodes: number;
  upMs: number;
  /** Lab processes (daemon and everything it started) a few seconds after up. */
  processes: number;
  rssBytes: number;
  pssBytes: number;
  downMs: number;
  check: { passed: number; probes: number; medianMs: number; summary: string[] };
  /** CPU seconds per process group when up returned (bench/lab-cpu.ts). */
  cpu: [string, number][];
}

/**
 * One cold up of a scale lab (src/lab/scale-manifests.ts: one pod in ten netexec, the rest pause),
 * its memory measured from /proc over the daemon's process tree once the pods have started, the
 * connectivity check over its netexec pods, and down.
 */
export async function benchScale(pods: number, nodes: number, settleMs = 3000): Promise<ScaleSample> {
  // Unique per run: another bench on this machine may be running its own scale lab.
  const name = `sc${pods}-${process.pid % 1000}`; // lab names are at most 12 characters
  trackLab(name);
  const dir = mkdtempSync(join(tmpdir(), 'podnet-scale-'));
  try {
    writeFileSync(join(dir, 'scale.yaml'), scaleManifests({ pods, nodes, name }));
    const up = await labUp({ files: [dir], name, timeoutMs: 600_000 });
    const daemon = daemonPid(name);
    const cpu = daemon !== undefined ? treeCpu(daemon) : [];
    await sleep(settleMs);
    const pid = daemonPid(name);
    const mem = pid !== undefined ? treeMemory(pid) : { processes: 0, rssBytes: 0, pssBytes: 0 };
    const report = await checkConnectivity(name, up.pods);
    const t0 = Date.now();
    await downLab(name);
    return {
      pods: up.pods.length, nodes, upMs: up.elapsedMs, ...mem, downMs: Date.now() - t0, cpu,
      check: { passed: report.passed, probes: report.probes, medianMs: report.medianMs, summary: report.summary },
    };
  } finally {
    await downLab(name);
    rmSync(dir, { recursive: true, force: true });
  }
}
