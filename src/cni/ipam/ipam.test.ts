import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, parseCidr, parseIp } from './ip.js';
import { candidates, parseRange, parseRangeSets } from './range.js';
import { allocate, garbageCollect, releaseAttachment, resultRoutes, type Allocation, type AllocStore } from './allocator.js';
import { CniError } from '../errors.js';

test('parse/format IPv4 and IPv6 (RFC 5952)', () => {
  for (const [inp, out] of [
    ['10.244.1.5', '10.244.1.5'],
    ['fd00:10:244:1::1', 'fd00:10:244:1::1'],
    ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
    ['::', '::'],
    ['::ffff:1.2.3.4', '::ffff:102:304'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ]) {
    const ip = parseIp(inp);
    assert.ok(ip, inp);
    assert.equal(formatIp(ip), out);
  }
  for (const bad of ['256.1.1.1', '1.2.3', '1::2::3', 'fd00:::1', 'x', '1:2:3:4:5:6:7:8:9']) assert.equal(parseIp(bad), undefined, bad);
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
});

test('range defaults: gateway .1, first pod .2, no network/broadcast', () => {
  const r = parseRange({ subnet: '10.244.1.7/24' });
  assert.equal(formatIp(r.subnet.ip), '10.244.1.0');
  assert.equal(formatIp(r.gateway), '10.244.1.1');
  assert.equal(formatIp(r.start), '10.244.1.1');
  assert.equal(formatIp(r.end), '10.244.1.254');
  const all = [...candidates([r])].map((c) => formatIp(c.ip));
  assert.equal(all.length, 253);
  assert.equal(all[0], '10.244.1.2');
  assert.equal(all.at(-1), '10.244.1.254');
  const v6 = parseRange({ subnet: 'fd00:10:244:1::/64' });
  assert.equal(formatIp(v6.gateway), 'fd00:10:244:1::1');
  assert.equal(formatIp(candidates([v6]).next().value!.ip), 'fd00:10:244:1::2');
});

test('candidates start after last reserved and wrap around across ranges', () => {
  const set = [parseRange({ subnet: '10.0.0.0/29' }), parseRange({ subnet: '10.0.1.0/29' })];
  const order = [...candidates(set, parseIp('10.0.0.5'))].map((c) => formatIp(c.ip));
  assert.deepEqual(order, ['10.0.0.6', '10.0.1.2', '10.0.1.3', '10.0.1.4', '10.0.1.5', '10.0.1.6', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5']);
  // last reserved at the end of the last range wraps to the first range.
  assert.equal(formatIp([...candidates(set, parseIp('10.0.1.6'))][0].ip), '10.0.0.2');
  // unknown last reserved: start at the beginning.
  assert.equal(formatIp([...candidates(set, parseIp('192.168.0.1'))][0].ip), '10.0.0.2');
});

test('range validation errors are code 7', () => {
  const bad = [
    [[{ subnet: 'nope' }]],
    [[{ subnet: '10.0.0.0/30' }]],
    [[{ subnet: '10.0.0.0/24', rangeStart: '10.0.1.5' }]],
    [[{ subnet: '10.0.0.0/24', rangeStart: '10.0.0.9', rangeEnd: '10.0.0.5' }]],
    [[{ subnet: '10.0.0.0/24' }], [{ subnet: '10.0.0.0/25' }]],
    [],
    'x',
  ];
  for (const b of bad) assert.throws(() => parseRangeSets(b), (e: unknown) => e instanceof CniError && e.code === 7, JSON.stringify(b));
});

/** In-memory store with the same semantics as the disk store; yields between steps to interleave. */
class FakeStore implements AllocStore {
  ips = new Map<string, { containerID: string; ifname: string }>();
  last = new Map<number, string>();
  index = new Map<string, string[]>();
  private tick = () => new Promise((r) => setImmediate(r));
  async reserve(ip: string, containerID: string, ifname: string) {
    await this.tick();
    if (this.ips.has(ip)) return false;
    this.ips.set(ip, { containerID, ifname });
    return true;
  }
  async release(ip: string, containerID: string) {
    if (this.ips.get(ip)?.containerID === containerID) this.ips.delete(ip);
  }
  async lastReserved(i: number) {
    await this.tick();
    return this.last.get(i);
  }
  async setLastReserved(i: number, ip: string) {
    this.last.set(i, ip);
  }
  async byAttachment(c: string, i: string) {
    return this.index.get(`${c}/${i}`) ?? [];
  }
  async recordAttachment(c: string, i: string, ips: string[]) {
    this.index.set(`${c}/${i}`, ips);
  }
  async forgetAttachment(c: string, i: string) {
    this.index.delete(`${c}/${i}`);
  }
  async list(): Promise<Allocation[]> {
    return [...this.ips].map(([ip, o]) => ({ ip, ...o }));
  }
}

const dual = () => parseRangeSets([[{ subnet: '10.244.1.0/24' }], [{ subnet: 'fd00::/64' }]]);

test('allocate: one address per range set, idempotent per attachment, rolled back when exhausted', async () => {
  const store = new FakeStore();
  const a = await allocate(store, dual(), 'c1', 'eth0');
  assert.deepEqual(a.ips, [
    { address: '10.244.1.2/24', gateway: '10.244.1.1', interface: 2 },
    { address: 'fd00::2/64', gateway: 'fd00::1', interface: 2 },
  ]);
  assert.equal(a.existing, false);
  const again = await allocate(store, dual(), 'c1', 'eth0');
  assert.deepEqual(again.ips, a.ips);
  assert.equal(again.existing, true);
  // Tiny v4 range (2 pods) with a big v6 one: the third attachment fails and releases its v6 pick... in order v4 first.
  const small = parseRangeSets([[{ subnet: 'fd01::/64' }], [{ subnet: '10.0.0.0/29', rangeEnd: '10.0.0.3' }]]);
  await allocate(store, small, 'x1', 'eth0');
  await allocate(store, small, 'x2', 'eth0');
  await assert.rejects(allocate(store, small, 'x3', 'eth0'), /no IP addresses available/);
  assert.ok(![...store.ips.values()].some((o) => o.containerID === 'x3'));
});

test('allocate: 50 concurrent allocations never share an address', async () => {
  const store = new FakeStore();
  const sets = dual();
  const res = await Promise.all(Array.from({ length: 50 }, (_, i) => allocate(store, sets, `c${i}`, 'eth0')));
  assert.equal(new Set(res.map((r) => r.ips[0].address)).size, 50);
  assert.equal(new Set(res.map((r) => r.ips[1].address)).size, 50);
});

test('release is idempotent and does not free a reused address; GC keeps valid attachments', async () => {
  const store = new FakeStore();
  const sets = dual();
  await allocate(store, sets, 'a', 'eth0');
  await allocate(store, sets, 'b', 'eth0');
  assert.deepEqual(await releaseAttachment(store, 'a', 'eth0'), ['10.244.1.2', 'fd00::2']);
  assert.deepEqual(await releaseAttachment(store, 'a', 'eth0'), []);
  const stale = await garbageCollect(store, [{ containerID: 'c', ifname: 'eth0' }]);
  assert.deepEqual(stale.map((s) => s.containerID), ['b', 'b']);
  assert.equal(store.ips.size, 0);
});

test('routes get the gateway of their family', () => {
  const ips = [{ address: '10.0.0.2/24', gateway: '10.0.0.1' }, { address: 'fd00::2/64', gateway: 'fd00::1' }];
  assert.deepEqual(resultRoutes([{ dst: '0.0.0.0/0' }, { dst: '::/0' }, { dst: '10.96.0.0/12', gw: '10.0.0.9' }], ips), [
    { dst: '0.0.0.0/0', gw: '10.0.0.1' },
    { dst: '::/0', gw: 'fd00::1' },
    { dst: '10.96.0.0/12', gw: '10.0.0.9' },
  ]);
});
