// Behaviour of compiled mesh tables, asked through the proxy's own matcher (src/l7/match.ts) and
// the per-request helpers: which route and backend a request gets, not only what the text says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickWeighted, seededRandom } from '../../l7/balance.js';
import { compileTable } from '../../l7/match.js';
import type { RequestView, RouteTable } from '../../l7/route-table.js';
import { compileMeshTraffic } from './compile.js';
import { expandHost, hostSpecificity, serviceOfFqdn } from './hosts.js';
import { meshObjectsFromYaml } from './objects.test-util.js';
import { specializeTable } from './specialize.js';

const SVC = `kind: TestService
metadata: {name: web}
ports: [{port: 80}]
pods: [{name: web-1, ip: 10.244.1.2, labels: {app: web, v: a}}, {name: web-2, ip: 10.244.1.3, labels: {app: web, v: b}}]
---
`;

function req(path: string, headers: Record<string, string> = {}): RequestView {
  const q = path.indexOf('?');
  return { host: 'web', path: q < 0 ? path : path.slice(0, q), query: q < 0 ? '' : path.slice(q + 1), method: 'GET', header: (n) => headers[n] };
}

function routeOf(table: RouteTable, path: string, headers?: Record<string, string>): string {
  const s = compileTable(table).select(80, req(path, headers));
  return s?.kind === 'route' ? s.route.name : `none:${s?.reason}`;
}

function tableFor(yaml: string): RouteTable {
  return compileMeshTraffic(meshObjectsFromYaml(SVC + yaml)).tables['default/web'].table;
}

describe('hosts', () => {
  it('expands dotless names in the object namespace and recognises Service FQDNs', () => {
    assert.equal(expandHost('web', 'shop', 'cluster.local'), 'web.shop.svc.cluster.local');
    assert.equal(expandHost('web.other', 'shop', 'cluster.local'), 'web.other', 'a dotted name is an FQDN, as Istio reads it');
    assert.equal(expandHost('web.other.svc.cluster.local', 'shop', 'cluster.local'), 'web.other.svc.cluster.local');
    assert.equal(expandHost('*', 'shop', 'cluster.local'), '*');
    assert.equal(serviceOfFqdn('web.shop.svc.cluster.local', 'cluster.local'), 'shop/web');
    assert.equal(serviceOfFqdn('example.com', 'cluster.local'), undefined);
    assert.ok(hostSpecificity('web.shop.svc.cluster.local', 'web.shop.svc.cluster.local') > hostSpecificity('*.shop.svc.cluster.local', 'web.shop.svc.cluster.local'));
    assert.ok(hostSpecificity('*.shop.svc.cluster.local', 'web.shop.svc.cluster.local') > hostSpecificity('*.cluster.local', 'web.shop.svc.cluster.local'));
    assert.equal(hostSpecificity('*.other.svc.cluster.local', 'web.shop.svc.cluster.local'), 0);
  });
});

describe('VirtualService routing', () => {
  it('first matching rule wins, in the order written; Istio prefixes are string prefixes', () => {
    const t = tableFor(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web}
spec:
  hosts: [web]
  http:
  - {name: api, match: [{uri: {prefix: /api}}], route: [{destination: {host: web}}]}
  - {name: exact, match: [{uri: {exact: /api/special}}], route: [{destination: {host: web}}]}
  - {name: user, match: [{headers: {x-user: {prefix: adm}}}, {queryParams: {admin: {exact: "1"}}}], route: [{destination: {host: web}}]}
`);
    assert.equal(routeOf(t, '/api/special'), 'virtualservice/default/web/http/0/match/0', 'written order, not specificity');
    assert.equal(routeOf(t, '/apiv2'), 'virtualservice/default/web/http/0/match/0');
    assert.equal(routeOf(t, '/x', { 'x-user': 'admin' }), 'virtualservice/default/web/http/2/match/0');
    assert.equal(routeOf(t, '/x?admin=1'), 'virtualservice/default/web/http/2/match/1');
    assert.equal(routeOf(t, '/x'), 'none:no-route', 'no matching rule: 404, as Istio');
  });

  it('an exact host beats a wildcard host; a VirtualService bound to a gateway only is not for sidecars', () => {
    const r = compileMeshTraffic(meshObjectsFromYaml(`${SVC}apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: wild}
spec: {hosts: ["*.default.svc.cluster.local"], http: [{route: [{destination: {host: web}}]}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: exact}
spec: {hosts: [web], gateways: [my-gateway], http: [{route: [{destination: {host: web}}]}]}
`));
    assert.equal(r.tables['default/web'].routedBy, 'VirtualService default/wild');
    assert.deepEqual(r.problems, []);
  });

  it('a 90/10 split of the compiled route lands within ±1 point (seeded)', () => {
    const t = tableFor(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web}
spec:
  hosts: [web]
  http: [{route: [{destination: {host: web, subset: a}, weight: 90}, {destination: {host: web, subset: b}, weight: 10}]}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web}
spec: {host: web, subsets: [{name: a, labels: {v: a}}, {name: b, labels: {v: b}}]}
`);
    const s = compileTable(t).select(80, req('/'));
    assert.ok(s?.kind === 'route');
    const random = seededRandom(2026);
    const weights = s.route.backends.map((b) => b.weight);
    let b = 0;
    for (let i = 0; i < 10_000; i++) if (s.route.backends[pickWeighted(weights, random)].cluster === 'default/web:80/b') b++;
    assert.ok(Math.abs(b / 100 - 10) < 1, `${b / 100}%`);
    assert.deepEqual(t.clusters['default/web:80/b'].endpoints.map((e) => e.pod), ['default/web-2']);
  });

  it('sourceLabels routes only the matching caller once specialised, and nobody before', () => {
    const t = tableFor(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web}
spec:
  hosts: [web]
  http:
  - {match: [{sourceLabels: {app: tester}}], route: [{destination: {host: web}}], fault: {abort: {httpStatus: 500}}}
  - {route: [{destination: {host: web}}]}
`);
    assert.equal(routeOf(t, '/'), 'virtualservice/default/web/http/1');
    assert.equal(routeOf(specializeTable(t, { namespace: 'default', labels: { app: 'tester' } }), '/'), 'virtualservice/default/web/http/0/match/0');
    assert.equal(routeOf(specializeTable(t, { namespace: 'default', labels: { app: 'web' } }), '/'), 'virtualservice/default/web/http/1');
  });
});
