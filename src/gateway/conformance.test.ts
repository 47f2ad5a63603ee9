// The 33 HTTPRoute cases of the Gateway API conformance suite, at the model level: objects →
// compileGateways → status conditions, and every request through the compiled table and the
// filters (backend, path, host, headers, redirects, response headers, mirrors, weights).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findCondition } from './conditions.js';
import { addressOf, headerValue, loadCases, objectsFor, runRequest, shares, type Json } from './conformance-kit.test-util.js';
import { compileGateways } from './gateways.js';

const { base, cases } = loadCases();

describe('Gateway API conformance: HTTPRoute cases at the model level', () => {
  it('has all 33 cases', () => assert.equal(cases.length, 33));
  for (const c of cases) {
    it(c.name, () => {
      const objects = objectsFor(base, c);
      const addresses: Record<string, string[]> = {};
      objects.gateways.forEach((g, i) => (addresses[`${g.metadata.namespace}/${g.metadata.name}`] = [addressOf(i)]));
      const { tables, status } = compileGateways(objects, { addresses });
      for (const check of c.statusChecks) checkStatus(check, status);
      c.requests.forEach((rq: Json, i: number) => {
        const gwKey = `${rq.request.gateway.namespace}/${rq.request.gateway.name}`;
        const table = tables[gwKey];
        assert.ok(table, `no table for Gateway ${gwKey}`);
        const what = `request ${i} ${rq.request.method ?? 'GET'} ${rq.request.host ?? '<gateway>'}${rq.request.path}`;
        const out = runRequest(table, addresses[gwKey][0], rq.request);
        const e = rq.expect;
        assert.equal(out.status, e.status, `${what}: status (route ${out.route?.name ?? 'none'})`);
        if (e.backend && (e.status === 200 || e.status === 204)) {
          for (const b of out.backends) {
            const [ns, svc] = b.split('/');
            assert.equal(ns, e.backend.namespace, `${what}: backend namespace`);
            if (e.backend.service) assert.equal(svc, e.backend.service, `${what}: backend service`);
          }
          assert.ok(out.backends.length > 0, `${what}: a backend`);
        }
        if (e.path !== undefined) assert.equal(out.path, e.path, `${what}: path`);
        if (e.host !== undefined) assert.equal(out.host, e.host, `${what}: host`);
        if (e.method !== undefined) assert.equal(out.method, e.method, `${what}: method`);
        for (const [name, value] of Object.entries(e.headers ?? {})) assert.equal(headerValue(out.headers, name), value, `${what}: header ${name}`);
        for (const name of e.absentHeaders ?? []) assert.equal(headerValue(out.headers, name), undefined, `${what}: header ${name} must be absent`);
        for (const [name, value] of Object.entries(e.responseHeaders ?? {})) assert.equal(headerValue(out.responseHeaders, name), value, `${what}: response header ${name}`);
        for (const name of e.absentResponseHeaders ?? []) assert.equal(headerValue(out.responseHeaders, name), undefined, `${what}: response header ${name} must be absent`);
        if (e.location !== undefined) {
          const host = rq.request.host ?? addressOf(objects.gateways.findIndex((g) => `${g.metadata.namespace}/${g.metadata.name}` === gwKey));
          assert.equal(out.location, (e.location as string).replace('{request-host}', host), `${what}: Location`);
        }
        if (e.mirroredTo) {
          assert.deepEqual(out.mirroredTo, e.mirroredTo.map((m: Json) => `${m.namespace}/${m.service}`), `${what}: mirrors`);
        }
      });
      if (c.distribution) {
        const d = c.distribution;
        const gwKey = `${d.request.gateway.namespace}/${d.request.gateway.name}`;
        const out = runRequest(tables[gwKey], addresses[gwKey][0], d.request);
        assert.ok(out.route, 'the distribution request has a route');
        const { computed, drawn } = shares(out.route);
        for (const [svc, want] of Object.entries(d.expectedWeights as Record<string, number>)) {
          assert.ok(Math.abs((computed[svc] ?? 0) - want) <= d.tolerance, `${svc}: weight share ${computed[svc]} vs ${want}`);
          assert.ok(Math.abs((drawn[svc] ?? 0) - want) <= d.tolerance, `${svc}: drawn share ${drawn[svc]} vs ${want}`);
          if (want === 0) assert.equal(drawn[svc] ?? 0, 0, `${svc} must never be drawn`);
        }
      }
    });
  }
});

// Upstream's HTTPS half of HTTPRouteRedirectPortAndScheme (left out of the JSON): requests on the
// base Gateway's 443 listener, where the scheme defaults to https and the port to the listener's.
describe('HTTPRouteRedirectPortAndScheme over the HTTPS listener', () => {
  const c = cases.find((x: Json) => x.name === 'httproute-redirect-port-and-scheme');
  const objects = objectsFor(base, c);
  const { tables } = compileGateways(objects, {});
  const expected: [string, string][] = [
    ['/scheme-nil-and-port-nil', 'https://example.org/scheme-nil-and-port-nil'],
    ['/scheme-nil-and-port-443', 'https://example.org/scheme-nil-and-port-443'],
    ['/scheme-nil-and-port-8443', 'https://example.org:8443/scheme-nil-and-port-8443'],
    ['/scheme-http-and-port-nil', 'http://example.org/scheme-http-and-port-nil'],
    ['/scheme-http-and-port-80', 'http://example.org/scheme-http-and-port-80'],
    ['/scheme-http-and-port-8080', 'http://example.org:8080/scheme-http-and-port-8080'],
  ];
  for (const [path, location] of expected) {
    it(path, () => {
      const gw = { namespace: 'gateway-conformance-infra', name: 'same-namespace-with-https-listener', port: 443 };
      const out = runRequest(tables['gateway-conformance-infra/same-namespace-with-https-listener'], 'unused', { host: 'example.org', path, method: 'GET', headers: {}, gateway: gw });
      assert.deepEqual([out.status, out.location], [302, location]);
    });
  }
});

function checkStatus(check: Json, status: ReturnType<typeof compileGateways>['status']): void {
  const key = `${check.namespace}/${check.name}`;
  if (check.kind === 'HTTPRoute') {
    const parents = status.httpRoutes[key]?.parents ?? [];
    if (check.noAcceptedParents) {
      assert.ok(!parents.some((p) => findCondition(p.conditions, 'Accepted')?.status === 'True'), `${key}: no parent may be Accepted`);
    }
    const p = parents.find((x) => x.parentRef.name === check.parent.name && (x.parentRef.namespace ?? check.namespace) === check.parent.namespace);
    assert.ok(p, `${key}: status for parent ${check.parent.namespace}/${check.parent.name}`);
    for (const want of check.conditions ?? []) {
      const got = findCondition(p.conditions, want.type);
      assert.equal(got?.status, want.status, `${key}: ${want.type} (${got?.reason}: ${got?.message})`);
      if (want.reason) assert.equal(got?.reason, want.reason, `${key}: ${want.type} reason`);
    }
    if (check.sectionNames) {
      const names = parents.filter((x) => x.parentRef.name === check.parent.name).map((x) => x.parentRef.sectionName);
      assert.deepEqual(names.sort(), [...check.sectionNames].sort(), `${key}: sectionNames`);
      for (const x of parents) assert.equal(findCondition(x.conditions, 'Accepted')?.status, 'True', `${key}: ${x.parentRef.sectionName} Accepted`);
    }
    return;
  }
  const gw = status.gateways[key];
  assert.ok(gw, `status for Gateway ${key}`);
  if (check.attachedRoutesTotal !== undefined) {
    assert.equal(gw.listeners.reduce((s, l) => s + l.attachedRoutes, 0), check.attachedRoutesTotal, `${key}: attachedRoutes total`);
  }
  for (const wl of check.listeners ?? []) {
    const l = gw.listeners.find((x) => x.name === wl.name);
    assert.ok(l, `${key}: listener ${wl.name}`);
    assert.equal(l.attachedRoutes, wl.attachedRoutes, `${key}: listener ${wl.name} attachedRoutes`);
    assert.deepEqual(l.supportedKinds, [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }]);
    for (const want of wl.conditions ?? []) assert.equal(findCondition(l.conditions, want.type)?.status, want.status, `${key}: listener ${wl.name} ${want.type}`);
  }
}
