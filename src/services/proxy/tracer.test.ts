import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRule, RuleSyntaxError, tokenize } from './tracer-parse.js';
import { traceProxy } from './tracer.js';
import { planProxy } from './plan.js';
import { input, slice, svc } from './fixtures.test-util.js';

describe('tracer rule parser', () => {
  it('keeps braces whole', () => {
    assert.deepEqual(tokenize('numgen random mod 2 vmap { 0 : goto a, 1 : goto b }'), ['numgen', 'random', 'mod', '2', 'vmap', '{ 0 : goto a, 1 : goto b }']);
  });

  it('parses the statements the planner writes', () => {
    assert.deepEqual(parseRule('ip daddr @cluster-ips-v4 ip saddr != 10.244.0.0/16 jump mark-for-masquerade').map((o) => o.op), ['in', 'match', 'verdict']);
    assert.deepEqual(parseRule('meta l4proto { tcp, udp, sctp } dnat ip to ip daddr . meta l4proto . th dport map @backends-v4-0').map((o) => o.op), ['in', 'dnatmap']);
    assert.deepEqual(parseRule('meta mark & 0x4000 == 0 return'), [{ op: 'masked', key: [{ kind: 'mark' }], mask: 0x4000, value: 0 }, { op: 'verdict', verdict: { kind: 'return' } }]);
    assert.deepEqual(parseRule('update @aff { ip saddr }'), [{ op: 'update', set: 'aff', key: [{ kind: 'addr', family: 4, dir: 'saddr' }] }]);
  });

  it('rejects what it does not understand, so untested syntax cannot slip in', () => {
    assert.throws(() => parseRule('tcp dport 80 accept'), RuleSyntaxError);
    assert.throws(() => parseRule('ip daddr { 10.0.0.1'), RuleSyntaxError);
  });
});

describe('traceProxy', () => {
  it('reports the rules that decided, in order', () => {
    const plan = planProxy(input([svc('one', ['10.96.0.21'])], [slice('one', ['10.244.1.7@node-2'])]));
    assert.deepEqual(traceProxy(plan, { src: '10.244.0.9', dst: '10.96.0.21', dport: 80, proto: 'tcp' }).path, [
      'nat-prerouting: jump services',
      'services: ip daddr . meta l4proto . th dport vmap @service-ips-v4',
      'backend-0: meta l4proto { tcp, udp, sctp } dnat ip to ip daddr . meta l4proto . th dport map @backends-v4-0',
      'filter-forward: ct state new jump endpoints-check',
      'filter-forward: ct state new jump cluster-ips-check',
      'nat-postrouting: jump masquerading',
      'masquerading: meta mark & 0x4000 == 0 return',
    ]);
  });
});
