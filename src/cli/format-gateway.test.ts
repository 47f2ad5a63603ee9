import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/types.js';
import { gatewayClassTable, gatewayTable, httpRouteTable, ingressClassTable, ingressTable } from './format-gateway.js';
import { parsePorts, serviceTarget } from './port-forward.js';
import type { V1EndpointSlice, V1Service } from '../api/types.js';

const now = Date.parse('2026-01-01T00:10:00Z');
const created = new Date('2026-01-01T00:00:00Z');
const obj = (kind: string, name: string, rest: Record<string, unknown>, namespace?: string): KubeObject =>
  ({ apiVersion: 'x', kind, metadata: { name, namespace, creationTimestamp: created }, ...rest }) as KubeObject;

describe('gateway tables', () => {
  it('prints Gateways and GatewayClasses with their conditions, as the CRDs\' printer columns', () => {
    const gw = obj('Gateway', 'web', { spec: { gatewayClassName: 'podnet', listeners: [] }, status: { addresses: [{ type: 'IPAddress', value: '172.18.0.240' }], conditions: [{ type: 'Programmed', status: 'True' }], listeners: [] } }, 'shop');
    assert.equal(gatewayTable([gw], { allNamespaces: true, now }), 'NAMESPACE   NAME   CLASS    ADDRESS        PROGRAMMED   AGE\nshop        web    podnet   172.18.0.240   True         10m\n');
    assert.equal(gatewayTable([obj('Gateway', 'new', { spec: { gatewayClassName: 'podnet' } })], { allNamespaces: false, now }), 'NAME   CLASS    ADDRESS   PROGRAMMED   AGE\nnew    podnet             Unknown      10m\n');
    assert.equal(gatewayClassTable([obj('GatewayClass', 'podnet', { spec: { controllerName: 'podnet.dev/gateway' }, status: { conditions: [{ type: 'Accepted', status: 'True' }] } })], { allNamespaces: true, now }),
      'NAME     CONTROLLER           ACCEPTED   AGE\npodnet   podnet.dev/gateway   True       10m\n');
    assert.equal(httpRouteTable([obj('HTTPRoute', 'r', { spec: { hostnames: ['a.example.com', 'b.example.com'] } })], { allNamespaces: false, now }), 'NAME   HOSTNAMES                           AGE\nr      ["a.example.com","b.example.com"]   10m\n');
    assert.equal(httpRouteTable([], { allNamespaces: false, now }), 'No resources found.\n');
  });

  it('prints Ingresses and IngressClasses as kubectl\'s printers do', () => {
    const ing = obj('Ingress', 'shop', { spec: { ingressClassName: 'podnet', rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }], tls: [{ hosts: ['a.example.com'] }] }, status: { loadBalancer: { ingress: [{ ip: '172.18.0.241' }] } } }, 'x');
    const bare = obj('Ingress', 'fallback', { spec: { defaultBackend: {} } }, 'x');
    assert.equal(ingressTable([ing, bare], { allNamespaces: false, now }), [
      'NAME       CLASS    HOSTS                         ADDRESS        PORTS     AGE',
      'shop       podnet   a.example.com,b.example.com   172.18.0.241   80, 443   10m',
      'fallback   <none>   *                                            80        10m',
    ].join('\n') + '\n');
    assert.equal(ingressClassTable([obj('IngressClass', 'podnet', { spec: { controller: 'podnet.dev/ingress' } })], { allNamespaces: true, now }),
      'NAME     CONTROLLER           PARAMETERS   AGE\npodnet   podnet.dev/ingress   <none>       10m\n');
  });
});

describe('port-forward arguments', () => {
  it('reads [LOCAL:]REMOTE as kubectl does', () => {
    assert.deepEqual(parsePorts('8080:80'), { local: 8080, remote: '80' });
    assert.deepEqual(parsePorts('80'), { local: 80, remote: '80' });
    assert.deepEqual(parsePorts(':80'), { local: 0, remote: '80' });
    assert.deepEqual(parsePorts('0:http'), { local: 0, remote: 'http' });
    assert.throws(() => parsePorts('a:b:c'), /expected \[LOCAL:\]REMOTE/);
    assert.throws(() => parsePorts('70000:80'), /local port must be 0-65535/);
  });

  it('forwards a Service port to its target port on a ready endpoint pod', () => {
    const svc: V1Service = { metadata: { name: 'web', namespace: 'shop' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 'web' as unknown as number }] } };
    const slice = (ready: boolean, pod: string): V1EndpointSlice => ({
      addressType: 'IPv4', metadata: { name: `web-${pod}`, namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
      ports: [{ name: 'http', port: 8080 }], endpoints: [{ addresses: ['10.244.0.9'], conditions: { ready }, targetRef: { kind: 'Pod', name: pod } }],
    });
    assert.deepEqual(serviceTarget(svc, [slice(false, 'a'), slice(true, 'b')], '80'), { namespace: 'shop', pod: 'b', port: 8080 });
    assert.deepEqual(serviceTarget(svc, [slice(true, 'b')], 'http'), { namespace: 'shop', pod: 'b', port: 8080 });
    assert.throws(() => serviceTarget(svc, [slice(true, 'b')], '81'), /Service shop\/web has no port 81/);
    assert.throws(() => serviceTarget(svc, [slice(false, 'a')], '80'), /no ready endpoint pod/);
  });
});
