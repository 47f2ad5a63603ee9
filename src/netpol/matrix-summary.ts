// Summaries of reachability matrices for big labs: a 1,000-pod matrix is a million cells, which no
// one reads as a table. The summary counts cells per source and destination group (namespace by
// default) and, for a measured matrix, the cells that differ from the prediction by the keys that
// point at a cause (error class, namespace pair, node pair), then lists the first few.
import { matrixRows, type MatrixCells, type Mismatch } from './matrix.js';

/** The matrices printed as a summary instead of a table when no flag decides: above this many pods. */
export const SUMMARY_ABOVE_PODS = 100;

/** The group of a row or column: its namespace, or `node` for node rows. */
export const namespaceOf = (id: string): string => id.split('/')[0];

/** `key n` pairs, largest first (ties by key), as one line. */
export function countBy<T>(items: T[], key: (item: T) => string, limit = 20): string {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  const sorted = [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = sorted.slice(0, limit).map(([k, n]) => `${k} ${n}`).join(', ');
  return sorted.length > limit ? `${shown}, and ${sorted.length - limit} more` : shown;
}

/**
 * Cell counts: overall, then per `source group -> destination group` with allowed and denied
 * counts. A pod's cell to itself counts like any other (its meaning is in the matrix title).
 */
export function summarizeMatrix(m: MatrixCells, groupOf: (id: string) => string = namespaceOf, limit = 50): string[] {
  const rows = matrixRows(m);
  const cols = m.pods.map(groupOf);
  const pairs = new Map<string, { allowed: number; denied: number }>();
  let allowed = 0;
  rows.forEach((row, i) => {
    const g = groupOf(row);
    m.pods.forEach((_, j) => {
      const key = `${g} -> ${cols[j]}`;
      let c = pairs.get(key);
      if (!c) pairs.set(key, (c = { allowed: 0, denied: 0 }));
      if (m.allowed[i][j]) {
        c.allowed++;
        allowed++;
      } else c.denied++;
    });
  });
  const cells = rows.length * m.pods.length;
  const nodes = m.nodes?.length ? ` (+${m.nodes.length} node rows)` : '';
  const sorted = [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return [
    `${m.pods.length} pods x ${m.pods.length} pods${nodes}: ${cells} cells, ${allowed} allowed, ${cells - allowed} denied`,
    ...sorted.slice(0, limit).map(([k, c]) => `  ${k}: ${c.allowed} allowed, ${c.denied} denied`),
    ...(sorted.length > limit ? [`  and ${sorted.length - limit} more group pairs`] : []),
  ];
}

export interface MismatchSummaryOptions {
  /** Named keys to count the mismatches by, e.g. {class: ..., 'node pair': ...}. */
  keys: Record<string, (m: Mismatch) => string>;
  /** How many mismatches to list one per line (default 20). */
  list?: number;
  /** Extra words for a listed mismatch, e.g. the error the probe met. */
  detail?: (m: Mismatch) => string | undefined;
}

/** Lines counting the mismatches by each key, then the first few of them. */
export function summarizeMismatches(mismatches: Mismatch[], opts: MismatchSummaryOptions): string[] {
  if (mismatches.length === 0) return [];
  const list = opts.list ?? 20;
  const word = (b: boolean) => (b ? 'allowed' : 'denied');
  return [
    ...Object.entries(opts.keys).map(([name, key]) => `  by ${name}: ${countBy(mismatches, key)}`),
    ...mismatches.slice(0, list).map((m) => {
      const d = opts.detail?.(m);
      return `  ${m.from} -> ${m.to}: predicted ${word(m.expected)}, measured ${word(m.actual)}${d ? ` (${d})` : ''}`;
    }),
    ...(mismatches.length > list ? [`  and ${mismatches.length - list} more (--full lists every cell)`] : []),
  ];
}
