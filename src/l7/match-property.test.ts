// The compiled matcher against a naive reading of the rules, on seeded random tables and requests:
// host choice (exact, longest covering wildcard with one-label or many-label semantics, then `*`)
// and element-wise path prefixes computed by splitting into segments.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compileTable } from './match.js';
import type { RequestView, Route, RouteTable, VirtualHost } from './route-table.js';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const LABELS = ['a', 'b', 'c'];
const SEGMENTS = ['x', 'y', 'xy'];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)];
}

function randomHost(r: () => number, depth: number): string {
  return Array.from({ length: depth }, () => pick(r, LABELS)).join('.');
}

function randomPath(r: () => number): string {
  const n = Math.floor(r() * 4);
  const p = `/${Array.from({ length: n }, () => pick(r, SEGMENTS)).join('/')}`;
  return r() < 0.2 && p !== '/' ? `${p}/` : p;
}

function naiveSegments(p: string): string[] {
  return p.split('/').filter((s) => s !== '');
}

function naivePrefix(prefix: string, path: string): boolean {
  const want = naiveSegments(prefix);
  const have = naiveSegments(path);
  return want.every((s, i) => have[i] === s);
}

function naiveHost(vhosts: VirtualHost[], host: string): VirtualHost | undefined {
  const exact = vhosts.find((v) => v.hostname === host);
  if (exact) return exact;
  const labels = host.split('.');
  for (let i = 1; i < labels.length; i++) {
    const suffix = labels.slice(i).join('.');
    const one = vhosts.find((v) => v.hostname === `*.${suffix}` && v.wildcardOneLabel && i === 1);
    if (one) return one;
    const many = vhosts.find((v) => v.hostname === `*.${suffix}` && !v.wildcardOneLabel);
    if (many) return many;
  }
  return vhosts.find((v) => v.hostname === '*');
}

it('the compiled matcher agrees with a naive one on 300 random tables', () => {
  const r = prng(20261204);
  for (let t = 0; t < 300; t++) {
    const vhosts: VirtualHost[] = [];
    const seen = new Set<string>();
    for (let h = 0; h < 5; h++) {
      const kind = r();
      const hostname = kind < 0.15 ? '*' : kind < 0.5 ? `*.${randomHost(r, 1 + Math.floor(r() * 2))}` : randomHost(r, 1 + Math.floor(r() * 3));
      const oneLabel = hostname.startsWith('*.') && r() < 0.5;
      // One virtual host per name, as the compilers produce them.
      if (seen.has(hostname)) continue;
      seen.add(hostname);
      const routes: Route[] = Array.from({ length: 1 + Math.floor(r() * 4) }, (_, i) => ({
        name: `${hostname}#${i}`,
        match: { path: { type: r() < 0.3 ? 'Exact' : 'PathPrefix', value: randomPath(r) } },
        filters: [],
        backends: [],
      }));
      vhosts.push({ hostname, ...(oneLabel ? { wildcardOneLabel: true } : {}), routes });
    }
    const table: RouteTable = { listeners: [{ name: 'l', port: 80, protocol: 'HTTP', virtualHosts: vhosts }], clusters: {} };
    const compiled = compileTable(table);
    for (let q = 0; q < 30; q++) {
      const host = randomHost(r, 1 + Math.floor(r() * 4));
      const path = randomPath(r);
      const view: RequestView = { host, path, query: '', method: 'GET', header: () => undefined };
      const got = compiled.select(80, view);
      const vh = naiveHost(vhosts, host);
      const route = vh?.routes.find((rt) => (rt.match.path?.type === 'Exact' ? rt.match.path.value === path : naivePrefix(rt.match.path?.value ?? '/', path)));
      const want = !vh ? 'no-host' : route ? route.name : 'no-route';
      const have = got?.kind === 'route' ? got.route.name : got?.reason;
      assert.equal(have, want, `table ${t}: ${host}${path} over ${JSON.stringify(vhosts.map((v) => [v.hostname, v.wildcardOneLabel ?? false, v.routes.map((x) => x.match.path)]))}`);
    }
  }
});
