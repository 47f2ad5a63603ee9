// The long-lived ip session's completion protocol, with commands that read or fail only (no root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpSession } from './ip-batch.js';

test('IpSession: completes requests in order, attributes failures, survives ip exiting', async () => {
  const ip = new IpSession();
  try {
    await ip.run(['link show dev lo']);
    // Pipelined: each request ends at its own sentinel; a failing line fails only its request.
    const [a, b, c] = await Promise.allSettled([
      ip.run(['link show dev lo', 'link show dev lo']),
      ip.run(['link show dev lo', 'link show dev pn-nope0', 'link show dev lo']),
      ip.run(['link show dev lo']),
    ]);
    assert.equal(a.status, 'fulfilled');
    assert.equal(c.status, 'fulfilled');
    assert.equal(b.status, 'rejected');
    assert.match(String((b as PromiseRejectedResult).reason), /pn-nope0" does not exist/);
    assert.doesNotMatch(String((b as PromiseRejectedResult).reason), /sentinel/);
    // A line ip bails out on (invalid argument) ends the process: the request fails, the next starts afresh.
    await assert.rejects(ip.run(['route add bogus-prefix dev lo']), /valid prefix/);
    await ip.run(['link show dev lo']);
    await assert.rejects(ip.run(['link show dev lo\nlink show dev lo']), /bad ip batch line/);
    // Restarting retires the process: what was already sent still completes.
    const pending = ip.run(['link show dev lo']);
    ip.restart();
    await Promise.all([pending, ip.run(['link show dev lo'])]);
  } finally {
    ip.restart();
  }
});
