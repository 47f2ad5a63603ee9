// The Gateway API HTTPRoute conformance cases on the wire: each case's objects compiled by
// src/gateway (the model-level kit of src/gateway/conformance-kit.test-util.ts), served by this
// proxy on 127.0.0.1, every endpoint replaced by an echo-basic server named after its Service,
// each request sent over a socket and judged by the echo's answer and the proxy's response.
// (A test-only import from src/gateway: the proxy itself never imports it.)
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { addressOf, loadCases, objectsFor, type Json } from './conformance-kit.test-util.js';
import { compileGateways } from './gateways.js';
import type { EchoHandle } from '../l7/echo/echo-main.js';
import type { RouteTable } from '../l7/route-table.js';
import { echo, proxy } from '../l7/proxy/proxy.test-util.js';

const { base, cases } = loadCases();
const echoes = new Map<string, Promise<EchoHandle>>();

/** One echo server per Service (`ns/name`); its `pod` field names the Service. */
function echoFor(service: string): Promise<EchoHandle> {
  let e = echoes.get(service);
  if (!e) {
    e = echo(service);
    echoes.set(service, e);
  }
  return e;
}

async function onEchoes(table: RouteTable): Promise<RouteTable> {
  const clusters: RouteTable['clusters'] = {};
  for (const [key, c] of Object.entries(table.clusters)) {
    const service = key.split(':')[0];
    const e = await echoFor(service);
    clusters[key] = { ...c, endpoints: c.endpoints.length ? [{ address: '127.0.0.1', port: e.ports.http, pod: service }] : [] };
  }
  return { ...table, clusters };
}

function send(port: number, host: string, path: string, method: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers: { ...headers, host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      // Repeated headers joined with `,` as the suite does (strings.Join(values, ",")), not Node's `, `.
      const joined: Record<string, string> = {};
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        const k = res.rawHeaders[i].toLowerCase();
        joined[k] = k in joined ? `${joined[k]},${res.rawHeaders[i + 1]}` : res.rawHeaders[i + 1];
      }
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: joined, body }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.end();
  });
}

function echoHeader(j: { headers: Record<string, string[]> }, name: string): string | undefined {
  const k = Object.keys(j.headers).find((h) => h.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : j.headers[k].join(',');
}

describe('Gateway API conformance: HTTPRoute cases through the proxy on sockets', () => {
  after(async () => {
    for (const e of echoes.values()) await (await e).close();
  });
  for (const c of cases) {
    it(c.name, async () => {
      const objects = objectsFor(base, c);
      const addresses: Record<string, string[]> = {};
      objects.gateways.forEach((g, i) => (addresses[`${g.metadata.namespace}/${g.metadata.name}`] = [addressOf(i)]));
      const { tables } = compileGateways(objects, { addresses });
      const proxies = new Map<string, Awaited<ReturnType<typeof proxy>>>();
      try {
        for (const [rqi, rq] of (c.requests as Json[]).entries()) {
          const gwKey = `${rq.request.gateway.namespace}/${rq.request.gateway.name}`;
          let px = proxies.get(gwKey);
          if (!px) {
            px = await proxy(await onEchoes(tables[gwKey]));
            proxies.set(gwKey, px);
          }
          const host = rq.request.host ?? addresses[gwKey][0];
          const what = `request ${rqi} ${rq.request.method ?? 'GET'} ${host}${rq.request.path}`;
          const headers: Record<string, string> = { ...(rq.request.headers ?? {}) };
          // As the suite does: ask echo-basic to set these response headers itself.
          const backendSet = Object.entries((rq.request.backendSetResponseHeaders ?? {}) as Record<string, string>);
          if (backendSet.length) headers['X-Echo-Set-Header'] = backendSet.map(([k, v]) => `${k}:${v}`).join(',');
          const r = await send(px.portOf(rq.request.gateway.port), host, rq.request.path, rq.request.method ?? 'GET', headers);
          const e = rq.expect;
          assert.equal(r.status, e.status, `${what}: status; body: ${r.body.slice(0, 200)}`);
          for (const [name, value] of Object.entries(e.responseHeaders ?? {})) assert.equal(r.headers[name.toLowerCase()], value, `${what}: response header ${name}`);
          for (const name of e.absentResponseHeaders ?? []) assert.equal(r.headers[(name as string).toLowerCase()], undefined, `${what}: response header ${name} absent`);
          if (e.location !== undefined) assert.equal(r.headers.location, (e.location as string).replace('{request-host}', host), `${what}: Location`);
          if (r.status !== 200) continue;
          const j = JSON.parse(r.body) as { pod: string; path: string; host: string; method: string; headers: Record<string, string[]> };
          if (e.backend?.service) assert.equal(j.pod, `${e.backend.namespace}/${e.backend.service}`, `${what}: backend`);
          if (e.path !== undefined) assert.equal(j.path, e.path, `${what}: path`);
          if (e.host !== undefined) assert.equal(j.host, e.host, `${what}: host`);
          if (e.method !== undefined) assert.equal(j.method, e.method, `${what}: method`);
          for (const [name, value] of Object.entries(e.headers ?? {})) assert.equal(echoHeader(j, name), value, `${what}: header ${name}`);
          for (const name of e.absentHeaders ?? []) assert.equal(echoHeader(j, name as string), undefined, `${what}: header ${name} absent`);
        }
      } finally {
        for (const px of proxies.values()) await px.proxy.close();
      }
    });
  }
});
