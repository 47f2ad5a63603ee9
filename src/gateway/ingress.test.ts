import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileTable } from '../l7/match.js';
import type { RequestView, RouteTable } from '../l7/route-table.js';
import { compileIngresses } from './ingress.js';
import { mergeTables } from './merge.js';
import { compileGateways } from './gateways.js';
import { objectsFromYaml } from './objects.test-util.js';

const BASE = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: podnet}
spec: {controller: podnet.dev/ingress}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ns}
spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: ns}
spec: {ports: [{port: 80, targetPort: 8080}]}
`;

const ing = (name: string, spec: string, extra = ''): string => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: ns${extra}}
spec: ${spec}
`;

function serve(t: RouteTable, host: string, path: string, port = 80): string {
  const view: RequestView = { host, path, query: '', method: 'GET', header: () => undefined };
  const s = compileTable(t).select(port, view);
  if (!s) return 'no-listener';
  if (s.kind === 'none') return s.reason;
  return s.route.backends.map((b) => b.cluster).join('+');
}

const web = '{service: {name: web, port: {number: 80}}}';
const api = '{service: {name: api, port: {number: 80}}}';

describe('compileIngresses', () => {
  it('Ingress wildcards cover exactly one label', () => {
    const { table } = compileIngresses(objectsFromYaml(BASE + ing('i', `{ingressClassName: podnet, rules: [{host: "*.foo.com", http: {paths: [{path: /, pathType: Prefix, backend: ${web}}]}}]}`)));
    assert.equal(serve(table, 'bar.foo.com', '/'), 'ns/web:80');
    assert.equal(serve(table, 'baz.bar.foo.com', '/'), 'no-host');
    assert.equal(serve(table, 'foo.com', '/'), 'no-host');
  });
  it('Exact before Prefix, longest prefix first, element-wise, across Ingresses', () => {
    const { table } = compileIngresses(objectsFromYaml(BASE
      + ing('a', `{ingressClassName: podnet, rules: [{host: h.com, http: {paths: [{path: /foo, pathType: Prefix, backend: ${web}}, {path: /foo/bar, pathType: Exact, backend: ${api}}]}}]}`)
      + ing('b', `{ingressClassName: podnet, rules: [{host: h.com, http: {paths: [{path: /foo/bar/, pathType: Prefix, backend: ${api}}]}}]}`)));
    assert.equal(serve(table, 'h.com', '/foo/bar'), 'ns/api:80');
    assert.equal(serve(table, 'h.com', '/foo/bar/baz'), 'ns/api:80');
    assert.equal(serve(table, 'h.com', '/foo/barbaz'), 'ns/web:80');
    assert.equal(serve(table, 'h.com', '/foobar'), 'no-route');
  });
  it('class: the default class takes Ingresses without one; an unknown class is not served and gets no address', () => {
    const objs = objectsFromYaml(BASE.replace('metadata: {name: podnet}', 'metadata: {name: podnet, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}')
      + ing('default', `{defaultBackend: ${web}}`)
      + ing('lost', `{ingressClassName: nope, rules: [{host: lost.com, http: {paths: [{path: /, pathType: Prefix, backend: ${api}}]}}]}`));
    const { table, status } = compileIngresses(objs, { address: '172.18.0.241' });
    assert.deepEqual(status, { 'ns/default': { loadBalancer: { ingress: [{ ip: '172.18.0.241' }] } } });
    assert.equal(serve(table, 'lost.com', '/'), 'ns/web:80', 'the lost Ingress is not served: the default backend answers');
  });
  it('backends by port name; a missing Service answers 503 and is reported', () => {
    const { table, warnings } = compileIngresses(objectsFromYaml(BASE + ing('i', `{ingressClassName: podnet, rules: [{http: {paths: [{path: /a, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}, {path: /b, pathType: Prefix, backend: {service: {name: gone, port: {number: 80}}}}]}}]}`)));
    assert.equal(serve(table, 'any', '/a'), 'ns/web:80');
    const s = compileTable(table).select(80, { host: 'any', path: '/b', query: '', method: 'GET', header: () => undefined });
    assert.ok(s?.kind === 'route');
    assert.equal(s.route.backends[0].directResponse?.status, 503);
    assert.deepEqual(warnings, ['Ingress ns/i: spec.rules[0].http.paths[1].backend: Service ns/gone not found']);
  });
  it('no Ingress, no listener', () => assert.deepEqual(compileIngresses(objectsFromYaml(BASE)).table.listeners, []));
});

describe('mergeTables (one deployment serving a Gateway and Ingress)', () => {
  const gatewayYaml = `---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: podnet}
spec: {controllerName: podnet.dev/gateway}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: ns}
spec: {gatewayClassName: podnet, listeners: [{name: http, port: 80, protocol: HTTP}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec: {parentRefs: [{name: gw}], hostnames: [shared.com], rules: [{matches: [{path: {type: PathPrefix, value: /gw}}], backendRefs: [{name: api, port: 80}]}]}
`;
  const objs = objectsFromYaml(BASE + gatewayYaml
    + ing('i', `{ingressClassName: podnet, rules: [{host: shared.com, http: {paths: [{path: /, pathType: Prefix, backend: ${web}}]}}, {host: only-ingress.com, http: {paths: [{path: /, pathType: Prefix, backend: ${web}}]}}]}`));
  const g = compileGateways(objs).tables['ns/gw'];
  const i = compileIngresses(objs).table;
  it('shares port 80: the Gateway\'s routes first for a shared host, each table\'s own hosts kept', () => {
    const { table, conflicts } = mergeTables([g, i]);
    assert.deepEqual(conflicts, []);
    assert.equal(table.listeners.length, 1);
    assert.equal(serve(table, 'shared.com', '/gw/x'), 'ns/api:80');
    assert.equal(serve(table, 'shared.com', '/other'), 'ns/web:80');
    assert.equal(serve(table, 'only-ingress.com', '/'), 'ns/web:80');
  });
  it('a protocol clash on one port keeps the first table\'s listener and reports it', () => {
    const https: RouteTable = { listeners: [{ name: 'x', port: 80, protocol: 'HTTPS', tls: { certificates: [] }, virtualHosts: [] }], clusters: {} };
    const { table, conflicts } = mergeTables([g, https]);
    assert.equal(table.listeners[0].protocol, 'HTTP');
    assert.equal(conflicts.length, 1);
    assert.match(conflicts[0], /^port 80: x \(HTTPS\) conflicts with gateway\/ns\/gw\/80 \(HTTP\)/);
  });
});
