import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunOptions, RunResult } from '../sys/exec.js';
import { CommandError } from '../sys/exec.js';
import { PolicyApplier } from './apply.js';
import { planPolicy } from './plan.js';
import { renderFull } from './render.js';
import { SCENARIOS, e2eWorld } from './scenarios.js';

/** Records every command; `nft` fails while `failNft` is set; conntrack lists `listing`. */
function fakeExec(state: { failNft?: boolean; listing?: string }) {
  const calls: { cmd: string; args: string[]; opts?: RunOptions }[] = [];
  const exec = async (cmd: string, args: string[], opts?: RunOptions): Promise<RunResult> => {
    calls.push({ cmd, args, opts });
    if (cmd === 'nft' && state.failNft) throw new CommandError([cmd, ...args], 1, 'Error: Could not process rule');
    if (cmd === 'conntrack' && args[0] === '-L') return { code: 0, stdout: args[2] === 'ipv4' ? state.listing ?? '' : '', stderr: '' };
    return { code: 0, stdout: '', stderr: '' };
  };
  return { calls, exec };
}

const world = (i: number) => e2eWorld(SCENARIOS[i]);
const plan = (i: number) => planPolicy({ ...world(i), node: { name: 'node-1' } });

describe('PolicyApplier', () => {
  it('applies the whole table first, then differences, nothing when unchanged; all in the netns', async () => {
    const f = fakeExec({});
    const a = new PolicyApplier({ netns: 'pn-lab-node-1', exec: f.exec });
    assert.equal((await a.sync(plan(0))).mode, 'full');
    assert.equal(f.calls[0].opts?.input, renderFull(plan(0)));
    const r = await a.sync(plan(1));
    assert.equal(r.mode, 'update');
    assert.ok(!f.calls[1].opts?.input?.includes('delete table'));
    assert.equal((await a.sync(plan(1))).mode, 'unchanged');
    assert.equal(f.calls.length, 2);
    assert.ok(f.calls.every((c) => c.cmd === 'nft' && c.args.join(' ') === '-f -' && c.opts?.netns === 'pn-lab-node-1'));
  });

  it('after a failed transaction forgets what it applied and starts over with the whole table', async () => {
    const state = { failNft: false };
    const f = fakeExec(state);
    const a = new PolicyApplier({ exec: f.exec });
    await a.sync(plan(0));
    state.failNft = true;
    await assert.rejects(a.sync(plan(1)), CommandError);
    state.failNft = false;
    assert.equal((await a.sync(plan(1))).mode, 'full');
    assert.ok(f.calls[2].opts?.input?.startsWith('add table inet podnet-policy\ndelete table'));
  });

  it('cuts conntrack entries of flows the new policies deny (both families listed)', async () => {
    // x/b (10.244.1.11) -> x/a (10.244.1.10) port 80, established while nothing was isolated.
    const listing = 'tcp 6 100 ESTABLISHED src=10.244.1.11 dst=10.244.1.10 sport=5000 dport=80 src=10.244.1.10 dst=10.244.1.11 sport=80 dport=5000 [ASSURED] mark=0 use=1\n';
    const f = fakeExec({ listing });
    const a = new PolicyApplier({ exec: f.exec });
    const none = SCENARIOS.findIndex((s) => s.name.includes('(step 2: deleted)'));
    await a.sync(plan(none), world(none));
    const r = await a.sync(plan(0), world(0)); // default-deny-ingress in x
    assert.equal(r.cut, 1);
    const del = f.calls.filter((c) => c.cmd === 'conntrack' && c.args[0] === '-D');
    assert.deepEqual(del.map((c) => c.args.join(' ')), ['-D -f ipv4 -p tcp -s 10.244.1.11 -d 10.244.1.10 --sport 5000 --dport 80']);
    assert.deepEqual(f.calls.filter((c) => c.args[0] === '-L').map((c) => c.args[2]), ['ipv4', 'ipv6', 'ipv4', 'ipv6']);
  });

  it('can leave connections alone, and removes its table', async () => {
    const f = fakeExec({ listing: 'garbage' });
    const a = new PolicyApplier({ exec: f.exec, cutConnections: false });
    await a.sync(plan(0), world(0));
    await a.remove();
    assert.deepEqual(f.calls.map((c) => c.cmd), ['nft', 'nft']);
    assert.equal(f.calls[1].opts?.input, 'add table inet podnet-policy\ndelete table inet podnet-policy\n');
    assert.equal((await a.sync(plan(0))).mode, 'full');
  });
});
