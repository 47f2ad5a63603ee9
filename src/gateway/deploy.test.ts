import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PORT, gatewayObjects, gatewayWorkload, workloadName } from './deploy.js';
import type { RouteTable } from '../l7/route-table.js';

describe('gateway workloads', () => {
  it('names Deployments so that pod names fit a hostname, without collisions', () => {
    assert.equal(workloadName('web'), 'podnet-gw-web');
    const a = workloadName('same-namespace-with-https-listener');
    const b = workloadName('same-namespace-with-https-listener-2');
    assert.ok(a.length <= 46 && b.length <= 46, `${a} ${b}`);
    assert.notEqual(a, b);
    assert.match(a, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('runs the proxy on the table file behind a LoadBalancer Service with the listener ports', () => {
    const w = gatewayWorkload('shop/web', '/run/podnet/x/gateway');
    assert.deepEqual(w, { serves: 'shop/web', namespace: 'shop', name: 'podnet-gw-web', tableFile: '/run/podnet/x/gateway/shop_web.json' });
    const table: RouteTable = {
      listeners: [
        { name: 'a', port: 80, protocol: 'HTTP', virtualHosts: [] },
        { name: 'b', port: 443, protocol: 'HTTPS', virtualHosts: [] },
      ],
      clusters: {},
    } as unknown as RouteTable;
    const [deploy, svc] = gatewayObjects(w, table);
    const spec = deploy.spec as { template: { spec: { containers: { image: string; args: string[] }[] } } };
    assert.equal(spec.template.spec.containers[0].image, 'podnet/gateway:latest');
    assert.deepEqual(spec.template.spec.containers[0].args, ['--table', w.tableFile, '--admin-port', String(ADMIN_PORT), '--access-log', '-']);
    const s = svc.spec as { type: string; ports: { port: number; targetPort: number }[] };
    assert.equal(s.type, 'LoadBalancer');
    assert.deepEqual(s.ports.map((p) => [p.port, p.targetPort]), [[80, 80], [443, 443]]);
    assert.equal(gatewayWorkload('ingress', '/d').namespace, 'kube-system');
  });
});
