import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { announcedAddresses, announcer } from './announce.js';
import { slice, svc } from './fixtures.test-util.js';

const NODES = ['node-1', 'node-2', 'node-3', 'node-4'];
const POOLS = ['172.18.0.240/28'];
const lb = (name: string, ip: string, spec = {}) => svc(name, ['10.96.0.1'], { type: 'LoadBalancer', ...spec }, { loadBalancer: { ingress: [{ ip }] } });

describe('announcer', () => {
  it('gives every address exactly one node, the same on every node, whatever the order', () => {
    const services = Array.from({ length: 14 }, (_, i) => lb(`s${i}`, `172.18.0.${241 + i}`));
    const per = NODES.map((n) => announcedAddresses(n, [...NODES].reverse(), POOLS, services, []));
    const all = per.flat().sort();
    assert.deepEqual(all, services.map((s) => s.status?.loadBalancer?.ingress?.[0].ip).sort());
    assert.ok(per.filter((a) => a.length).length >= 2, 'spread over several nodes');
  });

  it('moves only the addresses of a node that leaves (rendezvous hashing)', () => {
    const ips = Array.from({ length: 14 }, (_, i) => `172.18.0.${241 + i}`);
    const before = new Map(ips.map((ip) => [ip, announcer(ip, NODES)]));
    const gone = before.get(ips[0]) as string;
    for (const ip of ips) {
      const after = announcer(ip, NODES.filter((n) => n !== gone));
      if (before.get(ip) !== gone) assert.equal(after, before.get(ip), ip);
    }
  });
});

describe('announcedAddresses', () => {
  it('with externalTrafficPolicy Local, picks a node with a ready endpoint when there is one', () => {
    for (let i = 0; i < 8; i++) {
      const ip = `172.18.0.${241 + i}`;
      const services = [lb('web', ip, { externalTrafficPolicy: 'Local' })];
      const slices = [slice('web', ['10.244.2.1@node-3', '10.244.3.1@node-4!'])];
      assert.deepEqual(announcedAddresses('node-3', NODES, POOLS, services, slices), [ip]);
      const none = [slice('web', ['10.244.3.1@node-4!'])];
      assert.equal(NODES.filter((n) => announcedAddresses(n, NODES, POOLS, services, none).length).length, 1, 'falls back to all nodes');
    }
  });

  it('announces only LoadBalancer addresses inside the pools', () => {
    const services = [lb('in', '172.18.0.250'), lb('out', '192.0.2.1'), svc('np', ['10.96.0.2'], { type: 'NodePort', externalIPs: ['172.18.0.251'] })];
    assert.deepEqual(NODES.flatMap((n) => announcedAddresses(n, NODES, POOLS, services, [])), ['172.18.0.250']);
  });
});
