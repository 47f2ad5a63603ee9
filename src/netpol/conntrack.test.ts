import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conntrackDeleteArgs, flowsToCut, parseConntrack } from './conntrack.js';
import { PolicyModel } from './model.js';
import type { PolicyWorld } from './types.js';

// `conntrack -L` (1.4.7) output: TCP established, UDP unreplied, ICMP, a Service flow (DNAT to an endpoint).
const LISTING = `tcp      6 431999 ESTABLISHED src=10.244.1.2 dst=10.244.2.3 sport=40000 dport=80 src=10.244.2.3 dst=10.244.1.2 sport=80 dport=40000 [ASSURED] mark=0 use=1
udp      17 28 src=10.244.1.2 dst=10.244.2.3 sport=5353 dport=53 [UNREPLIED] src=10.244.2.3 dst=10.244.1.2 sport=53 dport=5353 mark=0 use=1
icmp     1 29 src=10.244.1.2 dst=10.244.2.3 type=8 code=0 id=7 src=10.244.2.3 dst=10.244.1.2 type=0 code=0 id=7 mark=0 use=1
tcp      6 117 TIME_WAIT src=10.244.1.2 dst=10.96.0.10 sport=40001 dport=8080 src=10.244.2.3 dst=10.244.1.2 sport=80 dport=40001 [ASSURED] mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 4 flow entries have been shown.
`;

const world = (policies: PolicyWorld['policies']): PolicyWorld => ({
  namespaces: [],
  pods: [
    { namespace: 'a', name: 'client', labels: {}, ips: ['10.244.1.2'], node: 'n1', ports: [] },
    { namespace: 'b', name: 'server', labels: {}, ips: ['10.244.2.3'], node: 'n2', ports: [] },
  ],
  policies,
});
const denyB = { metadata: { namespace: 'b', name: 'deny' }, spec: { podSelector: {} } };
const only53 = { metadata: { namespace: 'b', name: 'dns' }, spec: { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] } };

describe('conntrack', () => {
  it('parses original and reply tuples, skipping the summary line', () => {
    const e = parseConntrack(LISTING);
    assert.equal(e.length, 4);
    assert.deepEqual(e[0], { protocol: 'tcp', src: '10.244.1.2', dst: '10.244.2.3', replySrc: '10.244.2.3', sport: 40000, dport: 80, replySport: 80 });
    assert.deepEqual(e[2], { protocol: 'icmp', src: '10.244.1.2', dst: '10.244.2.3', replySrc: '10.244.2.3' });
    assert.equal(e[3].dst, '10.96.0.10');
    assert.equal(e[3].replySport, 80);
  });

  it('cuts flows allowed before and denied after, judging Service flows on the endpoint', () => {
    const entries = parseConntrack(LISTING);
    const cut = flowsToCut(new PolicyModel(world([])), new PolicyModel(world([only53])), entries);
    assert.deepEqual(cut.map((e) => `${e.protocol} ${e.dst}:${e.dport ?? ''}`), ['tcp 10.244.2.3:80', 'icmp 10.244.2.3:', 'tcp 10.96.0.10:8080']);
    // Flows already denied before were not allowed to start: nothing of theirs to cut again.
    assert.deepEqual(flowsToCut(new PolicyModel(world([denyB])), new PolicyModel(world([denyB])), entries), []);
    assert.equal(flowsToCut(undefined, new PolicyModel(world([denyB])), entries).length, 4);
  });

  it('deletes one entry by its original tuple', () => {
    const [tcp, , icmp] = parseConntrack(LISTING);
    assert.deepEqual(conntrackDeleteArgs(tcp), ['-D', '-f', 'ipv4', '-p', 'tcp', '-s', '10.244.1.2', '-d', '10.244.2.3', '--sport', '40000', '--dport', '80']);
    assert.deepEqual(conntrackDeleteArgs(icmp), ['-D', '-f', 'ipv4', '-p', 'icmp', '-s', '10.244.1.2', '-d', '10.244.2.3']);
    assert.deepEqual(conntrackDeleteArgs({ protocol: 'udp', src: 'fd00::1', dst: 'fd00::2', replySrc: 'fd00::2' }).slice(0, 3), ['-D', '-f', 'ipv6']);
  });
});
