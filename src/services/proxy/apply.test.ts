// The applier against a fake of the host programs: what it runs, in which order, and how it
// recovers. The real programs were checked by hand in scratch namespaces (see the report).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunResult } from '../../sys/exec.js';
import { ProxyApplier, type ProxySys } from './apply.js';
import { planProxy } from './plan.js';
import { input, slice, svc } from './fixtures.test-util.js';
import type { ProxyPlan } from './types.js';

class FakeSys implements ProxySys {
  calls: string[] = [];
  failNft = false;
  addrs: { local: string; prefixlen: number }[] = [];
  async nft(script: string): Promise<void> {
    this.calls.push(`nft ${script.startsWith('add table') ? 'full' : 'update'} (${script.trim().split('\n').length} lines)`);
    if (this.failNft) throw new Error('nft: Error: Could not process rule');
  }
  async ipBatch(lines: string[]): Promise<void> {
    this.calls.push(...lines.map((l) => `ip ${l}`));
  }
  async run(cmd: string, args: string[]): Promise<RunResult> {
    this.calls.push(`${cmd} ${args.join(' ')}`);
    if (cmd === 'ip') return { code: 0, stdout: JSON.stringify([{ ifname: 'eth0', addr_info: this.addrs }]), stderr: '' };
    return { code: 1, stdout: '', stderr: '0 flow entries have been deleted.' };
  }
  has(): boolean {
    return false;
  }
}

const lb = (ip: string) => svc('lb', ['10.96.0.9'], { type: 'LoadBalancer', ports: [{ name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }] }, { loadBalancer: { ingress: [{ ip }] } });
const plan = (ip: string, eps: string[]): ProxyPlan => planProxy(input([lb(ip)], [slice('lb', eps, [{ name: 'dns', port: 5353, protocol: 'UDP' }])], { nodes: ['node-1'] }));

describe('ProxyApplier', () => {
  it('syncs in full first, then only changes, and nothing when nothing changed', async () => {
    const sys = new FakeSys();
    const a = new ProxyApplier('pn-lab-node-1', { sys, log: () => undefined });
    assert.deepEqual(await a.sync(plan('172.18.0.240', ['10.244.0.5@node-1'])).then((r) => r.full), true);
    assert.equal((await a.sync(plan('172.18.0.240', ['10.244.0.6@node-1']))).full, false);
    sys.calls = [];
    await a.sync(plan('172.18.0.240', ['10.244.0.6@node-1']));
    assert.deepEqual(sys.calls, []);
  });

  it('holds announced addresses, reading the kernel once and removing only pool addresses', async () => {
    const sys = new FakeSys();
    sys.addrs = [{ local: '172.18.0.2', prefixlen: 24 }, { local: '172.18.0.250', prefixlen: 32 }, { local: '192.0.2.1', prefixlen: 32 }];
    const a = new ProxyApplier('ns', { sys, log: () => undefined });
    await a.sync(plan('172.18.0.240', ['10.244.0.5@node-1']));
    assert.deepEqual(sys.calls.slice(1), ['ip -j addr show dev eth0', 'ip addr del 172.18.0.250/32 dev eth0', 'ip addr add 172.18.0.240/32 dev eth0']);
    sys.calls = [];
    await a.sync(plan('172.18.0.241', ['10.244.0.5@node-1']));
    assert.deepEqual(sys.calls.filter((c) => c.startsWith('ip ')), ['ip addr del 172.18.0.240/32 dev eth0', 'ip addr add 172.18.0.241/32 dev eth0']);
  });

  it('clears UDP conntrack entries of endpoints that went away', async () => {
    const sys = new FakeSys();
    const a = new ProxyApplier('ns', { sys, log: () => undefined });
    await a.sync(plan('172.18.0.240', ['10.244.0.5@node-1', '10.244.1.5@node-2']));
    sys.calls = [];
    await a.sync(plan('172.18.0.240', ['10.244.0.5@node-1']));
    assert.deepEqual(sys.calls.filter((c) => c.startsWith('conntrack')).sort(), [
      'conntrack -D -p udp --orig-dst 10.96.0.9 --orig-port-dst 53 --dst-nat 10.244.1.5',
      'conntrack -D -p udp --orig-dst 172.18.0.2 --orig-port-dst 30053 --dst-nat 10.244.1.5',
      'conntrack -D -p udp --orig-dst 172.18.0.240 --orig-port-dst 53 --dst-nat 10.244.1.5',
    ]);
  });

  it('after an nft error, logs, forgets and syncs in full next time', async () => {
    const sys = new FakeSys();
    const logs: string[] = [];
    const a = new ProxyApplier('ns', { sys, log: (l) => logs.push(l) });
    await a.sync(plan('172.18.0.240', ['10.244.0.5@node-1']));
    sys.failNft = true;
    await assert.rejects(a.sync(plan('172.18.0.240', ['10.244.0.6@node-1'])), /Could not process rule/);
    assert.match(logs[0], /incremental nft sync failed, the next one is full/);
    sys.failNft = false;
    assert.equal((await a.sync(plan('172.18.0.240', ['10.244.0.6@node-1']))).full, true);
  });

  it('runs one sync at a time, in call order', async () => {
    const sys = new FakeSys();
    const a = new ProxyApplier('ns', { sys, log: () => undefined });
    const results = await Promise.all([a.sync(plan('172.18.0.240', ['10.244.0.5@node-1'])), a.sync(plan('172.18.0.240', ['10.244.0.6@node-1']))]);
    assert.deepEqual(results.map((r) => r.full), [true, false]);
  });
});
