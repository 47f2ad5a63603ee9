import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileTable } from '../l7/match.js';
import type { RequestView, RouteTable } from '../l7/route-table.js';
import { findCondition } from './conditions.js';
import { compileGateways } from './gateways.js';
import { objectsFromYaml } from './objects.test-util.js';

const HEAD = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: podnet}
spec: {controllerName: podnet.dev/gateway}
---
apiVersion: v1
kind: Service
metadata: {name: a, namespace: ns}
spec: {ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: b, namespace: ns}
spec: {ports: [{port: 80, targetPort: 8080}]}
`;

function compile(yaml: string) {
  return compileGateways(objectsFromYaml(HEAD + yaml), { addresses: { 'ns/gw': ['172.18.0.240'] } });
}

function view(host: string, path: string, headers: Record<string, string> = {}, method = 'GET'): RequestView {
  return { host, path, query: '', method, header: (n) => headers[n] };
}

/** The service that serves a request, or the matcher's reason. */
function serve(t: RouteTable, port: number, host: string, path: string, headers?: Record<string, string>, method?: string): string {
  const s = compileTable(t).select(port, view(host, path, headers, method));
  if (!s) return 'no-listener';
  if (s.kind === 'none') return s.reason;
  return s.route.backends.map((b) => b.cluster.split(':')[0]).join('+') || String(s.route.directResponse?.status);
}

const gw = (listeners: string): string => `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: ns}
spec:
  gatewayClassName: podnet
  listeners: ${listeners}
`;
const httpRoute = (name: string, spec: string, created = '2026-01-01T00:00:00Z'): string => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ns, creationTimestamp: "${created}"}
spec: ${spec}
`;

describe('compileGateways', () => {
  it('routes for a wildcard host also serve exact hosts of the same listener, after theirs', () => {
    const { tables } = compile(gw('[{name: http, port: 80, protocol: HTTP}]')
      + httpRoute('exact', '{parentRefs: [{name: gw}], hostnames: [x.example.com], rules: [{matches: [{path: {type: PathPrefix, value: /x}}], backendRefs: [{name: a, port: 80}]}]}')
      + httpRoute('wild', '{parentRefs: [{name: gw}], hostnames: ["*.example.com"], rules: [{backendRefs: [{name: b, port: 80}]}]}'));
    const t = tables['ns/gw'];
    assert.equal(serve(t, 80, 'x.example.com', '/x'), 'ns/a');
    assert.equal(serve(t, 80, 'x.example.com', '/y'), 'ns/b');
    assert.equal(serve(t, 80, 'other.com', '/'), 'no-host');
  });
  it('listener isolation: a request for a listener\'s host never reaches routes of a less specific listener', () => {
    const { tables } = compile(gw('[{name: any, port: 80, protocol: HTTP}, {name: specific, port: 80, protocol: HTTP, hostname: s.example.com}]')
      + httpRoute('catchall', '{parentRefs: [{name: gw, sectionName: any}], rules: [{backendRefs: [{name: a, port: 80}]}]}')
      + httpRoute('narrow', '{parentRefs: [{name: gw, sectionName: specific}], rules: [{matches: [{path: {type: Exact, value: /only}}], backendRefs: [{name: b, port: 80}]}]}'));
    const t = tables['ns/gw'];
    assert.equal(serve(t, 80, 's.example.com', '/only'), 'ns/b');
    assert.equal(serve(t, 80, 's.example.com', '/else'), 'no-route');
    assert.equal(serve(t, 80, 'other', '/else'), 'ns/a');
  });
  it('precedence across routes: exact, longest prefix, method, headers, then the oldest route', () => {
    const { tables } = compile(gw('[{name: http, port: 80, protocol: HTTP}]')
      + httpRoute('newer', '{parentRefs: [{name: gw}], rules: [{matches: [{path: {type: PathPrefix, value: /p}}], backendRefs: [{name: b, port: 80}]}]}', '2026-02-01T00:00:00Z')
      + httpRoute('older', '{parentRefs: [{name: gw}], rules: [{matches: [{path: {type: PathPrefix, value: /p}}], backendRefs: [{name: a, port: 80}]}, {matches: [{path: {type: PathPrefix, value: /p/q}}, {path: {type: Exact, value: /p}}, {path: {type: PathPrefix, value: /p}, headers: [{name: x, value: "1"}]}], backendRefs: [{name: b, port: 80}]}]}', '2026-01-01T00:00:00Z'));
    const t = tables['ns/gw'];
    assert.equal(serve(t, 80, 'h', '/p/z'), 'ns/a', 'same prefix: the older route wins');
    assert.equal(serve(t, 80, 'h', '/p/q/r'), 'ns/b', 'longest prefix');
    assert.equal(serve(t, 80, 'h', '/p'), 'ns/b', 'exact');
    assert.equal(serve(t, 80, 'h', '/p/z', { x: '1' }), 'ns/b', 'more headers');
  });
  it('an unresolvable backend keeps its share of weight as a 500, and ResolvedRefs says why', () => {
    const { tables, status } = compile(gw('[{name: http, port: 80, protocol: HTTP}]')
      + httpRoute('r', '{parentRefs: [{name: gw}], rules: [{backendRefs: [{name: a, port: 80, weight: 3}, {name: nope, port: 80, weight: 1}, {name: b, port: 81}]}]}'));
    const r = compileTable(tables['ns/gw']).select(80, view('h', '/'));
    assert.ok(r?.kind === 'route');
    assert.deepEqual(r.route.backends.map((b) => [b.cluster, b.weight, b.directResponse?.status]), [['ns/a:80', 3, undefined], ['ns/nope:80', 1, 500], ['ns/b:81', 1, 500]]);
    const rr = findCondition(status.httpRoutes['ns/r'].parents[0].conditions, 'ResolvedRefs');
    assert.deepEqual([rr?.status, rr?.reason], ['False', 'BackendNotFound']);
  });
  it('listeners: port conflicts, unsupported protocols, certificate refs across namespaces', () => {
    const yaml = gw(`
  - {name: a, port: 80, protocol: HTTP}
  - {name: b, port: 80, protocol: HTTPS, tls: {certificateRefs: [{name: c}]}}
  - {name: c, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: cert, namespace: other}]}}
  - {name: d, port: 8443, protocol: HTTPS, tls: {certificateRefs: [{name: nothere}]}}
  - {name: e, port: 9000, protocol: UDP}`);
    const { status, tables } = compile(yaml);
    const l = Object.fromEntries(status.gateways['ns/gw'].listeners.map((x) => [x.name, x.conditions]));
    assert.equal(findCondition(l.a, 'Conflicted')?.reason, 'ProtocolConflict');
    assert.equal(findCondition(l.c, 'ResolvedRefs')?.reason, 'RefNotPermitted');
    assert.equal(findCondition(l.d, 'ResolvedRefs')?.reason, 'InvalidCertificateRef');
    assert.equal(findCondition(l.e, 'Accepted')?.reason, 'UnsupportedProtocol');
    assert.equal(findCondition(status.gateways['ns/gw'].conditions, 'Accepted')?.status, 'False');
    assert.equal(tables['ns/gw'], undefined, 'no valid listener, no table');
  });
  it('a Gateway without an address is Accepted but not Programmed; other classes are left alone', () => {
    const objects = objectsFromYaml(HEAD + gw('[{name: http, port: 80, protocol: HTTP}]') + `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: theirs, namespace: ns}
spec: {gatewayClassName: other, listeners: [{name: http, port: 80, protocol: HTTP}]}
`);
    const { status } = compileGateways(objects);
    const c = status.gateways['ns/gw'].conditions;
    assert.deepEqual([findCondition(c, 'Accepted')?.status, findCondition(c, 'Programmed')?.reason], ['True', 'AddressNotAssigned']);
    assert.deepEqual(Object.keys(status.gateways), ['ns/gw']);
  });
  it('an unsupported filter is never skipped: its rule answers 500', () => {
    const { tables, status } = compile(gw('[{name: http, port: 80, protocol: HTTP}]')
      + httpRoute('r', '{parentRefs: [{name: gw}], rules: [{filters: [{type: ExtensionRef, extensionRef: {group: example.com, kind: Auth, name: x}}], backendRefs: [{name: a, port: 80}]}]}'));
    assert.equal(serve(tables['ns/gw'], 80, 'h', '/'), 'ns/a');
    const r = compileTable(tables['ns/gw']).select(80, view('h', '/'));
    assert.equal(r?.kind === 'route' ? r.route.directResponse?.status : 0, 500);
    assert.equal(findCondition(status.httpRoutes['ns/r'].parents[0].conditions, 'ResolvedRefs')?.reason, 'InvalidKind');
  });
  it('is deterministic', () => {
    const yaml = gw('[{name: http, port: 80, protocol: HTTP}]') + httpRoute('r', '{parentRefs: [{name: gw}], rules: [{backendRefs: [{name: a, port: 80}]}]}');
    assert.equal(JSON.stringify(compile(yaml)), JSON.stringify(compile(yaml)));
  });
});
