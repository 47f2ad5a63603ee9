import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dnsPacket from 'dns-packet';
import { AnswerCache } from './answer-cache.js';
import { answer, isForward } from './answer.js';
import { encodeResponse } from './wire.js';
import { buildZone } from './zone.js';
import { objects, query } from './fixtures.test-util.js';

const msg = (name: string, id = 42) => dnsPacket.encode({ ...query(name, 'A'), id });

describe('AnswerCache', () => {
  it('replays a reply byte for byte under the new query\'s ID', () => {
    const zone = buildZone(objects(), { domain: 'cluster.local' });
    const cache = new AnswerCache();
    const first = msg('svc1.testns.svc.cluster.local', 42);
    const r = answer(zone, dnsPacket.decode(first));
    assert.ok(!isForward(r));
    const reply = encodeResponse(r, 512);
    cache.put(first, 'udp', reply);
    const again = msg('svc1.testns.svc.cluster.local', 0xbeef);
    const hit = cache.get(again, 'udp');
    assert.ok(hit);
    assert.equal(hit.readUInt16BE(0), 0xbeef);
    assert.deepEqual(hit.subarray(2), reply.subarray(2));
    const fresh = answer(zone, dnsPacket.decode(again));
    assert.ok(!isForward(fresh));
    assert.deepEqual(hit, encodeResponse(fresh, 512), 'the same bytes answer() would have produced');
    assert.deepEqual([cache.hits, cache.misses], [1, 0]);
  });

  it('keys on transport, spelling and every byte past the ID', () => {
    const cache = new AnswerCache();
    cache.put(msg('a.cluster.local'), 'udp', Buffer.alloc(12, 1));
    assert.equal(cache.get(msg('a.cluster.local'), 'tcp'), undefined);
    assert.equal(cache.get(msg('A.cluster.local'), 'udp'), undefined);
    const noRd = msg('a.cluster.local');
    noRd[2] = (noRd[2] as number) & ~1;
    assert.equal(cache.get(noRd, 'udp'), undefined);
    assert.ok(cache.get(msg('a.cluster.local', 7), 'udp'));
  });

  it('forgets everything on clear, drops the oldest past maxEntries, and skips short or long messages', () => {
    const cache = new AnswerCache({ maxEntries: 2 });
    for (const n of ['a', 'b', 'c']) cache.put(msg(`${n}.cluster.local`), 'udp', Buffer.alloc(12));
    assert.equal(cache.size, 2);
    assert.equal(cache.get(msg('a.cluster.local'), 'udp'), undefined);
    cache.put(Buffer.alloc(5), 'udp', Buffer.alloc(12));
    cache.put(Buffer.alloc(400), 'udp', Buffer.alloc(12));
    assert.equal(cache.size, 2);
    cache.clear();
    assert.equal(cache.size, 0);
  });
});
