// The connectivity truth table of upstream's netpol e2e suite (test/e2e/network/netpol/truthtable.go):
// rows are sources, columns destinations, `.` allowed and `X` denied, pods named `ns/pod`. The same
// type holds what the model predicts, what a scenario expects and what the lab measures, so that
// they compare cell by cell.
import type { Family } from '../api/cidr.js';
import type { Endpoint } from './endpoint.js';
import { PolicyModel } from './model.js';
import type { PolicyWorld, Protocol } from './types.js';
import { podKey } from './types.js';

export interface Matrix {
  port: number;
  protocol: Protocol;
  family: Family;
  /** Column names, in order; also the first rows. */
  pods: string[];
  /** Extra source rows after the pods, `node/NAME`: the node's own traffic (kubelet probes). */
  nodes?: string[];
  /**
   * What a pod's cell to itself means: its own address (`loopback`, the default: it never leaves
   * the pod) or its own Service VIP (`hairpin`, as upstream's e2e probes go), where one exists.
   */
  diagonal?: 'loopback' | 'hairpin';
  /** allowed[row][column]; rows are `pods` then `nodes`. */
  allowed: boolean[][];
}

export interface MatrixJSON {
  port: number;
  protocol: Protocol;
  family: Family;
  pods: string[];
  nodes?: string[];
  diagonal?: 'loopback' | 'hairpin';
  /** One string per source: a `.` or `X` per destination, in `pods` order. */
  rows: Record<string, string>;
}

export type MatrixCells = Pick<Matrix, 'pods' | 'nodes' | 'allowed' | 'diagonal'>;

/** Row names: the pods, then `node/NAME` for each node row. */
export function matrixRows(m: Pick<Matrix, 'pods' | 'nodes'>): string[] {
  return [...m.pods, ...(m.nodes ?? [])];
}

export const nodeRow = (name: string): string => `node/${name}`;

export interface MatrixOptions {
  port: number;
  protocol: Protocol;
  family?: Family;
  pods?: string[];
  /** Node names to add as source rows. */
  nodes?: string[];
  /** Judge each pod's cell to itself through its own Service VIP (PolicyModel#hairpinTarget). */
  hairpin?: boolean;
}

export function matrix(world: PolicyWorld | PolicyModel, opts: MatrixOptions): Matrix {
  const model = world instanceof PolicyModel ? world : new PolicyModel(world);
  const family = opts.family ?? 4;
  const pods = opts.pods ?? model.index.pods.map(podKey).sort();
  const ends = pods.map((p) => model.endpoint(p, family));
  // A node row's source address depends on the destination (the overlay address toward other
  // nodes' pods); each node is resolved once up front so that an unknown one fails before any cell.
  const nodeRows = opts.nodes ?? [];
  for (const n of nodeRows) model.nodeEndpoint(n, family);
  const cell = (from: Endpoint, to: Endpoint): boolean => {
    if (opts.hairpin && from === to && to.kind === 'pod') {
      const via = model.hairpinTarget(to.pod, opts.port, opts.protocol, family);
      if (via) return model.allowed(from, model.endpoint(via.ip, family), via.port, opts.protocol, family).allowed;
    }
    return model.allowed(from, to, opts.port, opts.protocol, family).allowed;
  };
  const allowed = [
    ...ends.map((from) => ends.map((to) => cell(from, to))),
    ...nodeRows.map((n) => ends.map((to) => cell(model.nodeEndpoint(n, family, to), to))),
  ];
  return {
    port: opts.port, protocol: opts.protocol, family, pods,
    ...(opts.nodes?.length ? { nodes: opts.nodes.map(nodeRow) } : {}),
    ...(opts.hairpin ? { diagonal: 'hairpin' as const } : {}),
    allowed,
  };
}

/** Upstream's TruthTable.PrettyPrint layout: tab-separated, header row starting with `-`. */
export function renderMatrix(m: Pick<Matrix, 'pods' | 'nodes' | 'allowed'>): string {
  const lines = [['-', ...m.pods].join('\t')];
  matrixRows(m).forEach((from, i) => lines.push([from, ...m.allowed[i].map((v) => (v ? '.' : 'X'))].join('\t')));
  return lines.join('\n') + '\n';
}

export function matrixJSON(m: Matrix): MatrixJSON {
  const rows: Record<string, string> = {};
  matrixRows(m).forEach((from, i) => (rows[from] = m.allowed[i].map((v) => (v ? '.' : 'X')).join('')));
  return {
    port: m.port, protocol: m.protocol, family: m.family, pods: m.pods,
    ...(m.nodes ? { nodes: m.nodes } : {}), ...(m.diagonal ? { diagonal: m.diagonal } : {}), rows,
  };
}

export function matrixFromJSON(j: MatrixJSON): Matrix {
  return {
    port: j.port, protocol: j.protocol, family: j.family, pods: j.pods,
    ...(j.nodes ? { nodes: j.nodes } : {}), ...(j.diagonal ? { diagonal: j.diagonal } : {}),
    allowed: matrixRows(j).map((p) => [...j.rows[p]].map((c) => c === '.')),
  };
}

/** Reads renderMatrix output (tabs or spaces) back into names and cells; rows past the pods are `node/NAME`. */
export function parseMatrix(text: string): Pick<Matrix, 'pods' | 'nodes' | 'allowed'> {
  const rows = text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => l.split(/\s+/));
  const [header, ...body] = rows;
  const pods = header[0] === '-' ? header.slice(1) : header;
  if (body.length < pods.length) throw new Error(`matrix has ${pods.length} columns but ${body.length} rows`);
  const nodes = body.slice(pods.length).map((r) => r[0]);
  const notNode = nodes.find((n) => !n.startsWith('node/'));
  if (notNode) throw new Error(`row ${notNode} comes after the ${pods.length} pod rows but is not node/NAME`);
  const names = [...pods, ...nodes];
  const allowed = body.map((r, i) => {
    if (r[0] !== names[i]) throw new Error(`row ${i + 1} is ${r[0]}, expected ${names[i]}`);
    if (r.length !== pods.length + 1) throw new Error(`row ${r[0]} has ${r.length - 1} cells, expected ${pods.length}`);
    return r.slice(1).map((c) => {
      if (c !== '.' && c !== 'X') throw new Error(`row ${r[0]}: cell ${JSON.stringify(c)} is neither . nor X`);
      return c === '.';
    });
  });
  return { pods, ...(nodes.length ? { nodes } : {}), allowed };
}

export interface Mismatch {
  from: string;
  to: string;
  expected: boolean;
  actual: boolean;
}

/**
 * Cell-by-cell comparison, as upstream's TruthTable.Compare: the text marks equal cells `.` and
 * differing ones `X`. A pod's cell to itself is left out by default when it means loopback, as
 * upstream does; a hairpin diagonal (either side's) and node rows are always compared.
 */
export function compareMatrices(expected: MatrixCells, actual: MatrixCells, opts: { ignoreLoopback?: boolean } = {}): { equal: boolean; mismatches: Mismatch[]; text: string } {
  if (expected.pods.join() !== actual.pods.join()) throw new Error(`cannot compare matrices over different pods: ${expected.pods.join(' ')} vs ${actual.pods.join(' ')}`);
  const rows = matrixRows(expected);
  if (rows.join() !== matrixRows(actual).join()) throw new Error(`cannot compare matrices with different rows: ${rows.join(' ')} vs ${matrixRows(actual).join(' ')}`);
  const hairpin = expected.diagonal === 'hairpin' || actual.diagonal === 'hairpin';
  const ignore = opts.ignoreLoopback ?? !hairpin;
  const mismatches: Mismatch[] = [];
  const same = rows.map((from, i) => expected.pods.map((to, j) => {
    const ok = (ignore && i === j) || expected.allowed[i][j] === actual.allowed[i][j];
    if (!ok) mismatches.push({ from, to, expected: expected.allowed[i][j], actual: actual.allowed[i][j] });
    return ok;
  }));
  return { equal: mismatches.length === 0, mismatches, text: renderMatrix({ pods: expected.pods, nodes: expected.nodes, allowed: same }) };
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
