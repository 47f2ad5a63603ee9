import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PolicyPlan } from './plan.js';
import { pathOf, tracePlan, type Packet } from './trace.js';

const plan: PolicyPlan = {
  table: 'podnet-policy',
  families: [4],
  sets: {
    s: { type: 'ipv4_addr', elements: ['10.0.0.1'] },
    r: { type: 'ipv4_addr', interval: true, elements: ['10.1.0.0/16', '10.2.0.1-10.2.0.9'] },
    n: { type: 'ipv4_addr . inet_service', elements: ['10.0.0.2 . 8080'] },
  },
  maps: { m: { type: 'ipv4_addr : verdict', elements: { '10.0.0.2': 'goto g', '10.0.0.3': 'jump j' } } },
  chains: {
    first: { hook: 'type filter hook forward priority filter - 1; policy accept;', rules: ['ip saddr @r drop'] },
    main: { hook: 'type filter hook forward priority filter; policy accept;', rules: ['ct state established accept', 'ip daddr vmap @m', 'meta l4proto udp drop'] },
    g: { rules: ['ip saddr @s tcp dport { 80, 90-99 } accept comment "x"', 'jump j', 'drop'] },
    j: { rules: ['ip daddr . tcp dport @n accept', 'meta l4proto . th dport { udp . 53, sctp . 1-2 } accept', 'return'] },
  },
};
const p = (src: string, dst: string, protocol: string, dport?: number, extra: Partial<Packet> = {}): Packet => ({ hook: 'forward', src, dst, protocol, dport, ...extra });
const v = (pkt: Packet) => tracePlan(plan, pkt).verdict;

describe('tracePlan', () => {
  it('runs base chains of the hook in priority order; accept in one leaves the next to run, drop ends', () => {
    assert.equal(v(p('10.1.2.3', '10.0.0.9', 'TCP', 1, { ct: 'established' })), 'drop');
    assert.equal(v(p('10.0.0.7', '10.0.0.9', 'UDP', 1)), 'drop');
    assert.equal(v(p('10.0.0.7', '10.0.0.9', 'TCP', 1)), 'accept');
    assert.equal(v(p('10.2.0.5', '10.0.0.9', 'TCP', 1, { hook: 'input' })), 'accept'); // no input chains
  });

  it('follows goto, jump and return, sets, ranges and concatenations', () => {
    assert.equal(v(p('10.0.0.1', '10.0.0.2', 'TCP', 95)), 'accept');
    assert.equal(v(p('10.0.0.1', '10.0.0.2', 'TCP', 100)), 'drop'); // g: jump j (returns), then drop
    assert.equal(v(p('10.0.0.8', '10.0.0.2', 'TCP', 8080)), 'accept'); // via j's concatenated set
    assert.equal(v(p('10.0.0.8', '10.0.0.2', 'SCTP', 2)), 'accept');
    assert.equal(v(p('10.0.0.8', '10.0.0.3', 'TCP', 1)), 'accept'); // jump j returns to main, falls to policy
    assert.equal(v(p('10.2.0.10', '10.0.0.9', 'TCP', 1)), 'accept'); // outside the range element
    const steps = tracePlan(plan, p('10.0.0.1', '10.0.0.2', 'TCP', 80)).steps;
    assert.deepEqual(steps, ['main: ip daddr vmap @m => goto g', 'g: ip saddr @s tcp dport { 80, 90-99 } accept comment "x"']);
  });

  it('refuses statements it does not understand rather than guess', () => {
    const bad = structuredClone(plan);
    bad.chains.main.rules.unshift('tcp flags syn accept');
    assert.throws(() => tracePlan(bad, p('10.0.0.1', '10.0.0.2', 'TCP', 80)), /cannot parse "tcp flags syn"/);
  });

  it('pathOf: a pod is forwarded by its node, a node sends through output, a pod to its node goes to input', () => {
    assert.deepEqual(pathOf({ node: 'a' }, { node: 'a' }), [{ node: 'a', hook: 'forward' }]);
    assert.deepEqual(pathOf({ node: 'a' }, { node: 'b' }), [{ node: 'a', hook: 'forward' }, { node: 'b', hook: 'forward' }]);
    assert.deepEqual(pathOf({ node: 'a' }, { node: 'a', isNode: true }), [{ node: 'a', hook: 'input' }]);
    assert.deepEqual(pathOf({ node: 'a', isNode: true }, { node: 'b' }), [{ node: 'a', hook: 'output' }, { node: 'b', hook: 'forward' }]);
    assert.deepEqual(pathOf({}, { node: 'b' }), [{ node: 'b', hook: 'forward' }]);
  });
});
