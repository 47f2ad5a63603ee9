// The connectivity truth table of upstream's netpol e2e suite (test/e2e/network/netpol/truthtable.go):
// rows are sources, columns destinations, `.` allowed and `X` denied, pods named `ns/pod`. The same
// type holds what the model predicts, what a scenario expects and what the lab measures, so that
// they compare cell by cell.
import type { Family } from '../api/cidr.js';
import { PolicyModel } from './model.js';
import type { PolicyWorld, Protocol } from './types.js';
import { podKey } from './types.js';

export interface Matrix {
  port: number;
  protocol: Protocol;
  family: Family;
  /** Row and column names, in order. */
  pods: string[];
  /** allowed[from][to]. */
  allowed: boolean[][];
}

export interface MatrixJSON {
  port: number;
  protocol: Protocol;
  family: Family;
  pods: string[];
  /** One string per source: a `.` or `X` per destination, in `pods` order. */
  rows: Record<string, string>;
}

export function matrix(world: PolicyWorld | PolicyModel, opts: { port: number; protocol: Protocol; family?: Family; pods?: string[] }): Matrix {
  const model = world instanceof PolicyModel ? world : new PolicyModel(world);
  const family = opts.family ?? 4;
  const pods = opts.pods ?? model.index.pods.map(podKey).sort();
  const ends = pods.map((p) => model.endpoint(p, family));
  const allowed = ends.map((from) => ends.map((to) => model.allowed(from, to, opts.port, opts.protocol, family).allowed));
  return { port: opts.port, protocol: opts.protocol, family, pods, allowed };
}

/** Upstream's TruthTable.PrettyPrint layout: tab-separated, header row starting with `-`. */
export function renderMatrix(m: Pick<Matrix, 'pods' | 'allowed'>): string {
  const lines = [['-', ...m.pods].join('\t')];
  m.pods.forEach((from, i) => lines.push([from, ...m.allowed[i].map((v) => (v ? '.' : 'X'))].join('\t')));
  return lines.join('\n') + '\n';
}

export function matrixJSON(m: Matrix): MatrixJSON {
  const rows: Record<string, string> = {};
  m.pods.forEach((from, i) => (rows[from] = m.allowed[i].map((v) => (v ? '.' : 'X')).join('')));
  return { port: m.port, protocol: m.protocol, family: m.family, pods: m.pods, rows };
}

export function matrixFromJSON(j: MatrixJSON): Matrix {
  return { port: j.port, protocol: j.protocol, family: j.family, pods: j.pods, allowed: j.pods.map((p) => [...j.rows[p]].map((c) => c === '.')) };
}

/** Reads renderMatrix output (tabs or spaces) back into names and cells. */
export function parseMatrix(text: string): Pick<Matrix, 'pods' | 'allowed'> {
  const rows = text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => l.split(/\s+/));
  const [header, ...body] = rows;
  const pods = header[0] === '-' ? header.slice(1) : header;
  if (body.length !== pods.length) throw new Error(`matrix has ${pods.length} columns but ${body.length} rows`);
  const allowed = body.map((r, i) => {
    if (r[0] !== pods[i]) throw new Error(`row ${i + 1} is ${r[0]}, expected ${pods[i]}`);
    if (r.length !== pods.length + 1) throw new Error(`row ${r[0]} has ${r.length - 1} cells, expected ${pods.length}`);
    return r.slice(1).map((c) => {
      if (c !== '.' && c !== 'X') throw new Error(`row ${r[0]}: cell ${JSON.stringify(c)} is neither . nor X`);
      return c === '.';
    });
  });
  return { pods, allowed };
}

export interface Mismatch {
  from: string;
  to: string;
  expected: boolean;
  actual: boolean;
}

/**
 * Cell-by-cell comparison, as upstream's TruthTable.Compare: the text marks equal cells `.` and
 * differing ones `X`. Loopback (a pod to itself) is left out by default, as upstream does.
 */
export function compareMatrices(expected: Pick<Matrix, 'pods' | 'allowed'>, actual: Pick<Matrix, 'pods' | 'allowed'>, opts: { ignoreLoopback?: boolean } = {}): { equal: boolean; mismatches: Mismatch[]; text: string } {
  if (expected.pods.join() !== actual.pods.join()) throw new Error(`cannot compare matrices over different pods: ${expected.pods.join(' ')} vs ${actual.pods.join(' ')}`);
  const ignore = opts.ignoreLoopback ?? true;
  const mismatches: Mismatch[] = [];
  const same = expected.pods.map((from, i) => expected.pods.map((to, j) => {
    const ok = (ignore && i === j) || expected.allowed[i][j] === actual.allowed[i][j];
    if (!ok) mismatches.push({ from, to, expected: expected.allowed[i][j], actual: actual.allowed[i][j] });
    return ok;
  }));
  return { equal: mismatches.length === 0, mismatches, text: renderMatrix({ pods: expected.pods, allowed: same }) };
}

/**
 * Expectations written as upstream's Reachability calls: every cell starts allowed, then each line
 * `FROM -> TO .|X` sets the cells it covers, in order. FROM and TO are `ns/pod`, `ns/*`, `* /pod`
 * (without the space) or `*`, like upstream's Peer{Namespace, Pod} with empty fields as wildcards.
 */
export function reachability(pods: string[], lines: string[]): Matrix['allowed'] {
  const allowed = pods.map(() => pods.map(() => true));
  const covers = (pattern: string, pod: string) => {
    if (pattern === '*') return true;
    const [pns, pname] = pattern.split('/');
    const [ns, name] = pod.split('/');
    return (pns === '*' || pns === ns) && (pname === '*' || pname === name);
  };
  for (const line of lines) {
    const m = /^(\S+)\s*->\s*(\S+)\s+([.X])$/.exec(line.trim());
    if (!m) throw new Error(`bad expectation ${JSON.stringify(line)}: want "FROM -> TO ." or "FROM -> TO X"`);
    pods.forEach((from, i) => pods.forEach((to, j) => {
      if (covers(m[1], from) && covers(m[2], to)) allowed[i][j] = m[3] === '.';
    }));
  }
  return allowed;
}
