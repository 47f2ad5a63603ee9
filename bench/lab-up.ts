// `up` time of the 30-pod demo lab for each backend, with the connectivity check as a sanity line.
import { join } from 'node:path';
import { labUp } from '../src/lab/daemon/launch.js';
import { checkConnectivity } from '../src/lab/check.js';
import { downLab, trackLab } from './cleanup.js';
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
}

/** `reps` cold ups of the demo lab (each followed by a down); the connectivity check runs after the first. */
export async function benchUp(root: string, backend: string, reps: number): Promise<UpSample> {
  trackLab(UP_LAB);
  try {
    const runs: number[] = [];
    const downs: number[] = [];
    let report: Awaited<ReturnType<typeof checkConnectivity>> | undefined;
    let pods = 0;
    for (let i = 0; i < reps; i++) {
      const up = await labUp({ files: [join(root, 'examples', 'demo')], name: UP_LAB, nodes: 3, backend });
      runs.push(up.elapsedMs);
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
      check: { passed: report!.passed, probes: report!.probes, medianMs: report!.medianMs, firstFailure: f && `${f.from} -> ${f.to} ${f.ip}/${f.protocol}: ${f.problem}` },
    };
  } finally {
    await downLab(UP_LAB);
  }
}
