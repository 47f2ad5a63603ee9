// Formatting: aligned tables, ratios next to absolute figures, and the environment line.
import { cpus, loadavg, release } from 'node:os';
import { run } from '../src/sys/exec.js';

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank quantile of samples sorted ascending (NaN when there are none). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Median and 99th percentile of unsorted samples. */
export function latencyStats(xs: number[]): { p50: number; p99: number } {
  return { p50: median(xs), p99: quantile([...xs].sort((a, b) => a - b), 0.99) };
}

export function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}x` : 'n/a';
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

export function fmtGbps(bps: number): string {
  return Number.isFinite(bps) ? `${(bps / 1e9).toFixed(2)} Gbit/s` : 'n/a';
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function heading(title: string): void {
  console.log(`\n== ${title} ==`);
}

export async function environmentLine(): Promise<string> {
  const iperf = await run('iperf3', ['--version'], { allowFail: true }).catch(() => ({ stdout: '' }));
  const iperfVersion = /iperf ([\d.]+)/.exec(iperf.stdout)?.[1] ?? 'missing';
  const cpu = cpus();
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  return `kernel ${release()}; node ${process.version}; ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}); load ${load}; iperf3 ${iperfVersion}`;
}

/** One row of the final summary. */
export interface SummaryRow {
  metric: string;
  podnet: string;
  peer: string;
  peerName: string;
  ratio: string;
  goal: string;
}

export function summaryTable(rows: SummaryRow[]): string {
  return table(['metric', 'podnet', 'peer', 'peer is', 'ratio', 'goal'], rows.map((r) => [r.metric, r.podnet, r.peer, r.peerName, r.ratio, r.goal]));
}
