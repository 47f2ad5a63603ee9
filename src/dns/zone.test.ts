import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1EndpointSlice, V1Namespace, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Packet } from 'dns-packet';
import { answer, isForward } from './answer.js';
import { buildZone, ClusterZone, type PodsMode, type ZoneChange, type ZoneObjects } from './zone.js';
import { query, rr } from './fixtures.test-util.js';

const DOMAIN = 'cluster.local';

/** xorshift32: the same seed gives the same sequence, so a failure names a reproducible seed. */
function rng(seed: number): { int: (n: number) => number; pick: <T>(xs: readonly T[]) => T; chance: (p: number) => boolean } {
  let x = seed || 1;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
  const int = (n: number) => Math.floor(next() * n);
  return { int, pick: (xs) => xs[int(xs.length)] as (typeof xs)[number], chance: (p) => next() < p };
}

// A small universe, so that random changes collide: shared IPs, slices that move between
// Services, Services that turn headless and back, namespaces that empty out.
const NAMESPACES = ['a', 'b', 'c'];
const NAMES = ['s0', 's1', 's2'];
const SLICES = ['x0', 'x1', 'x2', 'x3'];
const IPS = ['10.0.0.1', '10.0.0.2', '172.0.0.1', '172.0.0.2', '172.0.0.3', 'fd00::1', 'fd00::2'];

type Obj = { kind: 'Service'; object: V1Service } | { kind: 'EndpointSlice'; object: V1EndpointSlice }
  | { kind: 'Pod'; object: V1Pod } | { kind: 'Namespace'; object: V1Namespace };

function randomObject(r: ReturnType<typeof rng>): Obj {
  const ns = r.pick(NAMESPACES);
  const meta = (name: string) => ({ name, namespace: ns });
  switch (r.int(4)) {
    case 0: {
      const ports = [{ name: r.pick(['http', 'dns', undefined]), port: 80 + r.int(3), protocol: r.pick(['TCP', 'UDP']) }];
      const spec: V1Service['spec'] = r.pick([
        { clusterIP: r.pick(IPS.slice(0, 2)), ports },
        { clusterIPs: ['10.0.0.1', r.pick(['fd00::1', 'fd00::2'])], ports },
        { clusterIP: 'None', publishNotReadyAddresses: r.chance(0.5), ports },
        { type: 'ExternalName', externalName: r.pick(['ext.example.test', '1.2.3.4', `s0.a.svc.${DOMAIN}.`]) },
        { type: 'ClusterIP' },
      ]);
      return { kind: 'Service', object: { metadata: meta(r.pick(NAMES)), spec } };
    }
    case 1: {
      const family = r.pick(['IPv4', 'IPv6']);
      const pool = IPS.filter((ip) => ip.includes(':') === (family === 'IPv6'));
      const endpoints = Array.from({ length: r.int(3) }, () => ({
        addresses: [r.pick(pool)],
        ...(r.chance(0.3) ? { hostname: r.pick(['h0', 'h1']) } : {}),
        ...(r.chance(0.7) ? { conditions: { ready: r.chance(0.6) } } : {}),
      }));
      const labels = r.chance(0.9) ? { 'kubernetes.io/service-name': r.pick(NAMES) } : undefined;
      const ports = r.chance(0.8) ? [{ name: r.pick(['http', 'metrics']), port: 8080, protocol: 'TCP' }] : [];
      return { kind: 'EndpointSlice', object: { addressType: family, metadata: { ...meta(r.pick(SLICES)), labels }, endpoints, ports } };
    }
    case 2:
      return { kind: 'Pod', object: { metadata: meta(r.pick(['p0', 'p1'])), status: { podIPs: [{ ip: r.pick(IPS) }] } } };
    default:
      return { kind: 'Namespace', object: { metadata: { name: ns } } };
  }
}

const keyOf = (o: Obj) => `${o.kind}/${o.object.metadata?.namespace ?? ''}/${o.object.metadata?.name}`;

function objectsOf(store: Map<string, Obj>, r: ReturnType<typeof rng>): ZoneObjects {
  // Shuffled: a zone built from scratch must not depend on the order it sees objects in.
  const all = [...store.values()].sort(() => r.int(3) - 1);
  const out: Required<ZoneObjects> = { services: [], endpointSlices: [], pods: [], namespaces: [] };
  for (const o of all) {
    if (o.kind === 'Service') out.services.push(o.object);
    else if (o.kind === 'EndpointSlice') out.endpointSlices.push(o.object);
    else if (o.kind === 'Pod') out.pods.push(o.object);
    else out.namespaces.push(o.object);
  }
  return out;
}

/** Every question worth asking of these zones: their names under every type, and pod names. */
function questions(names: string[]): Array<[string, string]> {
  const pods = NAMESPACES.flatMap((ns) => IPS.map((ip) => `${ip.replace(/[.:]/g, '-')}.${ns}.pod.${DOMAIN}`));
  const nx = NAMESPACES.flatMap((ns) => NAMES.map((n) => `${n}.${ns}.svc.${DOMAIN}`));
  return [...new Set([...names, ...pods, ...nx])].flatMap((n) => ['A', 'AAAA', 'SRV', 'PTR', 'CNAME'].map((t): [string, string] => [n, t]));
}

function reply(zone: ClusterZone, name: string, type: string): string {
  const res = answer(zone, query(name, type));
  if (isForward(res)) return 'forward';
  const p = res as Packet;
  return JSON.stringify([(p.flags ?? 0) & 0xf, (p.answers ?? []).map(rr).sort(), (p.authorities ?? []).map(rr), (p.additionals ?? []).map(rr).sort()]);
}

describe('ClusterZone: incremental updates answer as a rebuild', () => {
  for (const pods of ['insecure', 'verified', 'disabled'] as PodsMode[]) {
    for (let seed = 1; seed <= 8; seed++) {
      it(`random changes, pods ${pods}, seed ${seed}`, () => {
        const r = rng(seed * 7919 + pods.length);
        const store = new Map<string, Obj>();
        const zone = new ClusterZone({ domain: DOMAIN, pods });
        for (let step = 0; step < 250; step++) {
          const o = randomObject(r);
          const del = store.has(keyOf(o)) && r.chance(0.35);
          if (del) store.delete(keyOf(o));
          else store.set(keyOf(o), o);
          // A delete carries the object as last seen by the watch, which may differ from this one.
          zone.apply({ ...o, deleted: del } as ZoneChange);
          const fresh = buildZone(objectsOf(store, r), { domain: DOMAIN, pods });
          assert.deepEqual(zone.dump(), fresh.dump(), `seed ${seed} step ${step}: ${del ? 'delete' : 'upsert'} ${keyOf(o)}`);
          if (step % 25 === 24) {
            for (const [name, type] of questions(Object.keys(fresh.dump()))) {
              assert.equal(reply(zone, name, type), reply(fresh, name, type), `seed ${seed} step ${step}: ${name} ${type}`);
            }
          }
        }
      });
    }
  }
});

describe('ClusterZone: what a change removes', () => {
  const svc = (name: string, ns: string, spec: V1Service['spec']): ZoneChange => ({ kind: 'Service', object: { metadata: { name, namespace: ns }, spec } });

  it('deleting the last object of a namespace removes the namespace names', () => {
    const z = new ClusterZone({ domain: DOMAIN });
    z.apply(svc('web', 'shop', { clusterIP: '10.0.0.9', ports: [{ name: 'http', port: 80 }] }));
    assert.deepEqual(z.get(`shop.svc.${DOMAIN}`), []);
    assert.equal(z.get(`_http._tcp.web.shop.svc.${DOMAIN}`)?.length, 1);
    z.apply({ ...svc('web', 'shop', undefined), deleted: true });
    for (const n of [`web.shop.svc.${DOMAIN}`, `_http._tcp.web.shop.svc.${DOMAIN}`, `_tcp.web.shop.svc.${DOMAIN}`, `shop.svc.${DOMAIN}`, `shop.pod.${DOMAIN}`, '9.0.0.10.in-addr.arpa']) {
      assert.equal(z.get(n), undefined, n);
    }
    assert.deepEqual(z.get(`svc.${DOMAIN}`), [], 'svc.<domain> always exists');
  });

  it('built-in namespaces exist without objects, and stay when their last object goes', () => {
    const z = new ClusterZone({ domain: DOMAIN, builtinNamespaces: ['default'] });
    assert.deepEqual(z.get(`default.svc.${DOMAIN}`), []);
    assert.ok(z.namespaceExists('default'));
    z.apply(svc('web', 'default', { clusterIP: '10.0.0.9' }));
    z.apply({ ...svc('web', 'default', undefined), deleted: true });
    assert.deepEqual(z.get(`default.pod.${DOMAIN}`), []);
    assert.equal(z.get(`other.svc.${DOMAIN}`), undefined);
  });

  it('a ClusterIP PTR hides an endpoint PTR only while the Service holds the address', () => {
    const z = new ClusterZone({ domain: DOMAIN });
    z.apply({ kind: 'EndpointSlice', object: { addressType: 'IPv4', metadata: { name: 'h-1', namespace: 'a', labels: { 'kubernetes.io/service-name': 'h' } }, endpoints: [{ addresses: ['10.0.0.5'] }] } });
    z.apply(svc('h', 'a', { clusterIP: 'None' }));
    z.apply(svc('v', 'a', { clusterIP: '10.0.0.5', ports: [{ port: 80 }] }));
    assert.deepEqual(z.get('5.0.0.10.in-addr.arpa'), [{ type: 'PTR', data: `v.a.svc.${DOMAIN}` }]);
    z.apply({ ...svc('v', 'a', undefined), deleted: true });
    assert.deepEqual(z.get('5.0.0.10.in-addr.arpa'), [{ type: 'PTR', data: `10-0-0-5.h.a.svc.${DOMAIN}` }]);
  });

  it('a Service update serves new records and drops the old ones, and the SOA serial follows setSerial', () => {
    const z = new ClusterZone({ domain: DOMAIN, serial: 3 });
    z.apply(svc('web', 'shop', { clusterIP: '10.0.0.9', ports: [{ name: 'http', port: 80 }] }));
    z.apply(svc('web', 'shop', { clusterIP: '10.0.0.8', ports: [{ name: 'grpc', port: 90 }] }));
    assert.deepEqual(z.get(`web.shop.svc.${DOMAIN}`), [{ type: 'A', data: '10.0.0.8' }]);
    assert.equal(z.get(`_http._tcp.web.shop.svc.${DOMAIN}`), undefined);
    assert.equal(z.get('9.0.0.10.in-addr.arpa'), undefined);
    z.setSerial(4);
    const soa = z.get(DOMAIN)?.find((r) => r.type === 'SOA');
    assert.ok(soa?.type === 'SOA' && soa.data.serial === 4);
  });
});
