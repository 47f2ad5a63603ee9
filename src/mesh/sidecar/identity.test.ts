import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdentityClient, renewDelayMs, type Clock, type IssuedIdentity } from './identity.js';

/** A clock whose timers fire only when the test advances time. */
class FakeClock implements Clock {
  t = Date.parse('2026-12-04T00:00:00Z');
  private timers: { at: number; fn: () => void; id: object }[] = [];
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = {};
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: object) => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
    this.t = end;
  }
}

const ID = 'spiffe://cluster.local/ns/a/sa/b';
const fakeCsr = async () => ({ keyPem: 'KEY', csrPem: 'CSR' });

function issuer(clock: FakeClock, lifetimeMs: number) {
  const calls: number[] = [];
  let fail: string | undefined;
  const issue = async (csr: string): Promise<IssuedIdentity> => {
    assert.equal(csr, 'CSR');
    calls.push(clock.now());
    if (fail) throw new Error(fail);
    return { certPem: `CERT@${clock.now()}`, bundle: ['ROOT'], notBefore: new Date(clock.now()).toISOString(), notAfter: new Date(clock.now() + lifetimeMs).toISOString() };
  };
  return { issue, calls, setFail: (f: string | undefined) => (fail = f) };
}

test('renewal at two thirds of the lifetime', () => {
  assert.equal(renewDelayMs(0, 24 * 3600_000, 0), 16 * 3600_000);
  assert.equal(renewDelayMs(1000, 4000, 2000), 1000);
  assert.equal(renewDelayMs(1000, 4000, 9000), 0);
});

test('the client renews at 2/3, keeps the old certificate while renewal fails, and fails closed at expiry', async () => {
  const clock = new FakeClock();
  const ca = issuer(clock, 30_000);
  const c = new IdentityClient({ spiffeId: ID, issue: ca.issue, clock, makeCsr: fakeCsr, retryMs: 1000 });
  const t0 = clock.t;
  await c.start();
  assert.equal(c.status().state, 'ready');
  const first = c.current()!.certPem;
  await clock.advance(19_999);
  assert.equal(ca.calls.length, 1);
  await clock.advance(1);
  assert.deepEqual(ca.calls, [t0, t0 + 20_000], 'renewed at 2/3 of 30 s');
  assert.notEqual(c.current()!.certPem, first);
  ca.setFail('connection refused');
  await clock.advance(25_000); // renewal due at t0+40 s fails; retries every second (capped at a tenth of what is left)
  assert.ok(ca.calls.length >= 7, `retried: ${ca.calls.length} calls`);
  assert.ok(c.current(), 'the old certificate stays in use until it expires');
  await clock.advance(5_000); // the second certificate expires at t0+50 s
  assert.equal(c.current(), undefined);
  assert.deepEqual(c.status(), { state: 'expired', spiffeId: ID, notAfter: new Date(t0 + 50_000).toISOString(), reason: 'certificate request failed: connection refused' });
  ca.setFail(undefined);
  await clock.advance(1000);
  assert.equal(c.status().state, 'ready');
  c.stop();
});

test('with no certificate ever issued, status is pending with the reason', async () => {
  const clock = new FakeClock();
  const ca = issuer(clock, 30_000);
  ca.setFail('CA unreachable');
  const c = new IdentityClient({ spiffeId: ID, issue: ca.issue, clock, makeCsr: fakeCsr });
  await c.start();
  assert.deepEqual(c.status(), { state: 'pending', spiffeId: ID, notAfter: undefined, reason: 'certificate request failed: CA unreachable' });
  c.stop();
});
