// Command line of the proxy program (proxy-main.ts) and the route-table file it reads. Pure, so
// every flag and every bad-input line is unit-tested.
import type { RouteTable } from '../route-table.js';
import type { BalancePolicy } from './balance.js';

export class ProxyArgsError extends Error {
  readonly code = 'EPROXYARGS';
}

export interface ProxyArgs {
  /** A JSON RouteTable; re-read on SIGHUP and when it changes. */
  table: string;
  adminPort: number;
  bind: string;
  balance: BalancePolicy;
  maxBodyBytes: number;
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  /** Access log: `-` for stdout, `off`, or a file path. */
  accessLog: string;
  /** Worker processes sharing the listeners (node:cluster); 1 runs the proxy in this process. */
  workers: number;
}

export const PROXY_USAGE =
  'usage: proxy-main --table FILE [--admin-port 9901] [--bind ::] [--balance p2c|round-robin] [--max-body-bytes 10485760] ' +
  '[--max-header-bytes 16384] [--headers-timeout-ms 10000] [--access-log -|off|FILE] [--workers 1]';

const FLAGS = ['table', 'admin-port', 'bind', 'balance', 'max-body-bytes', 'max-header-bytes', 'headers-timeout-ms', 'access-log', 'workers'] as const;
type Flag = (typeof FLAGS)[number];

function int(flag: string, text: string, min: number, max: number): number {
  if (!/^\d{1,12}$/.test(text) || Number(text) < min || Number(text) > max) throw new ProxyArgsError(`--${flag}: ${text} is not a whole number in ${min}-${max}`);
  return Number(text);
}

export function parseProxyArgs(argv: readonly string[]): ProxyArgs {
  const seen = new Map<Flag, string>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new ProxyArgsError(`unexpected argument ${argv[i]}`);
    const flag = m[1] as Flag;
    if (!FLAGS.includes(flag)) throw new ProxyArgsError(`unknown flag --${m[1]}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined || (m[2] === undefined && value.startsWith('--'))) throw new ProxyArgsError(`--${flag} needs a value`);
    if (seen.has(flag)) throw new ProxyArgsError(`--${flag} given twice`);
    seen.set(flag, value);
  }
  const table = seen.get('table');
  if (!table) throw new ProxyArgsError('--table is required (a JSON route table)');
  const balance = seen.get('balance') ?? 'p2c';
  if (balance !== 'p2c' && balance !== 'round-robin') throw new ProxyArgsError(`--balance: ${balance} is not p2c or round-robin`);
  return {
    table,
    adminPort: int('admin-port', seen.get('admin-port') ?? '9901', 0, 65535),
    bind: seen.get('bind') ?? '::',
    balance,
    maxBodyBytes: int('max-body-bytes', seen.get('max-body-bytes') ?? String(10 * 1024 * 1024), 0, 2 ** 40),
    maxHeaderBytes: int('max-header-bytes', seen.get('max-header-bytes') ?? '16384', 1024, 1024 * 1024),
    headersTimeoutMs: int('headers-timeout-ms', seen.get('headers-timeout-ms') ?? '10000', 100, 600_000),
    accessLog: seen.get('access-log') ?? '-',
    workers: int('workers', seen.get('workers') ?? '1', 1, 64),
  };
}

/**
 * Parses a route-table file's text, checking the shape the proxy relies on; errors are one line
 * naming the file and the field (`table.json: listeners[0].port: not a port`).
 */
export function parseRouteTable(text: string, file: string): RouteTable {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new ProxyArgsError(`${file}: not JSON: ${(err as Error).message}`);
  }
  const fail = (field: string, why: string): never => {
    throw new ProxyArgsError(`${file}: ${field}: ${why}`);
  };
  const obj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!obj(v)) return fail('(top)', 'expected an object with listeners and clusters');
  if (!Array.isArray(v.listeners)) fail('listeners', 'expected an array');
  if (!obj(v.clusters)) fail('clusters', 'expected an object keyed by cluster name');
  (v.listeners as unknown[]).forEach((l, i) => {
    if (!obj(l)) return fail(`listeners[${i}]`, 'expected an object');
    if (typeof l.name !== 'string') fail(`listeners[${i}].name`, 'expected a string');
    if (typeof l.port !== 'number' || !Number.isInteger(l.port) || l.port < 1 || l.port > 65535) fail(`listeners[${i}].port`, 'not a port');
    if (l.protocol !== 'HTTP' && l.protocol !== 'HTTPS') fail(`listeners[${i}].protocol`, 'expected HTTP or HTTPS');
    if (!Array.isArray(l.virtualHosts)) fail(`listeners[${i}].virtualHosts`, 'expected an array');
  });
  for (const [name, c] of Object.entries(v.clusters as Record<string, unknown>)) {
    if (!obj(c) || !Array.isArray(c.endpoints)) fail(`clusters[${name}].endpoints`, 'expected an array');
    ((c as { endpoints: unknown[] }).endpoints).forEach((e, i) => {
      if (!obj(e) || typeof e.address !== 'string' || typeof e.port !== 'number') fail(`clusters[${name}].endpoints[${i}]`, 'expected {address, port}');
    });
  }
  return v as unknown as RouteTable;
}
