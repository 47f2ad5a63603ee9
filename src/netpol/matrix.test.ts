import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareMatrices, matrix, matrixFromJSON, matrixJSON, parseMatrix, reachability, renderMatrix } from './matrix.js';
import { E2E_PODS, SCENARIOS, e2eWorld } from './scenarios.js';
import { worldFromObjects } from './types.js';
import type { V1NetworkPolicy, V1Pod } from '../api/types.js';

const pods = ['x/a', 'x/b', 'y/a'];

describe('matrix', () => {
  it('renders like upstream TruthTable.PrettyPrint and parses back', () => {
    const m = { pods, allowed: [[true, false, true], [true, true, true], [false, false, true]] };
    const text = renderMatrix(m);
    assert.equal(text, '-\tx/a\tx/b\ty/a\nx/a\t.\tX\t.\nx/b\t.\t.\t.\ny/a\tX\tX\t.\n');
    assert.deepEqual(parseMatrix(text), m);
    assert.deepEqual(parseMatrix('   x/a x/b y/a\nx/a . X .\nx/b . . .\ny/a X X .'), m);
  });

  it('refuses malformed tables, naming the row', () => {
    assert.throws(() => parseMatrix('- x/a x/b\nx/a . .\nx/c . .'), /row 2 is x\/c, expected x\/b/);
    assert.throws(() => parseMatrix('- x/a\nx/a ?'), /cell "\?" is neither \. nor X/);
  });

  it('round-trips through JSON', () => {
    const m = matrix(e2eWorld(SCENARIOS[0]), { port: 80, protocol: 'TCP' });
    assert.deepEqual(m.pods, E2E_PODS);
    const j = matrixJSON(m);
    assert.equal(j.rows['y/a'], 'XXX......');
    assert.deepEqual(matrixFromJSON(JSON.parse(JSON.stringify(j))), m);
  });

  it('compares cell by cell, ignoring loopback unless asked', () => {
    const a = { pods, allowed: reachability(pods, ['* -> x/* X']) };
    const b = { pods, allowed: reachability(pods, ['* -> x/* X', 'x/a -> x/a .', 'y/a -> x/b .']) };
    const cmp = compareMatrices(a, b);
    assert.equal(cmp.equal, false);
    assert.deepEqual(cmp.mismatches, [{ from: 'y/a', to: 'x/b', expected: false, actual: true }]);
    assert.equal(cmp.text.split('\n')[3], 'y/a\t.\tX\t.');
    assert.equal(compareMatrices(a, b, { ignoreLoopback: false }).mismatches.length, 2);
  });

  it('reachability lines work like upstream ExpectPeer/ExpectAllIngress/ExpectAllEgress/Expect', () => {
    const all = ['x/a', 'x/b', 'y/a', 'y/b'];
    const r = reachability(all, ['* -> x/a X', 'x/* -> */b X', 'y/b -> x/a .']);
    assert.equal(renderMatrix({ pods: all, allowed: r }), renderMatrix(parseMatrix(`
      -   x/a x/b y/a y/b
      x/a X   X   .   X
      x/b X   X   .   X
      y/a X   .   .   .
      y/b .   .   .   .`)));
    assert.throws(() => reachability(all, ['x/a => x/b X']), /bad expectation/);
  });
});

describe('node rows: the source address per backend', () => {
  // n1's traffic to n2's pods leaves through vxlan0 with 10.244.0.0 (vxlan backend) or with its
  // underlay address 172.18.0.2 (routed backend); to its own pods, from the bridge gateway.
  const pod = (ns: string, name: string, node: string, ip: string) => ({
    metadata: { namespace: ns, name, labels: { app: name } }, spec: { nodeName: node, containers: [] }, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  });
  const policy = (cidr: string) => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: 'x', name: 'from-block' },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr } }] }] },
  });
  const world = (cidr: string, overlay: boolean) => worldFromObjects({
    pods: [pod('x', 'a', 'n1', '10.244.0.5'), pod('x', 'b', 'n2', '10.244.1.5')] as V1Pod[],
    namespaces: [{ metadata: { name: 'x' } }],
    policies: [policy(cidr)] as V1NetworkPolicy[],
    nodes: [
      { name: 'n1', ips: ['172.18.0.2', '10.244.0.1'], ...(overlay ? { overlayIPs: ['10.244.0.0'] } : {}) },
      { name: 'n2', ips: ['172.18.0.3', '10.244.1.1'], ...(overlay ? { overlayIPs: ['10.244.1.0'] } : {}) },
    ],
  });
  const row = (cidr: string, overlay: boolean) => matrix(world(cidr, overlay), { port: 80, protocol: 'TCP', nodes: ['n1'] }).allowed[2];

  it('vxlan: an underlay ipBlock does not admit the node across nodes, an overlay one does', () => {
    // Columns x/a (on n1: own node, always allowed) and x/b (on n2).
    assert.deepEqual(row('172.18.0.0/24', true), [true, false]);
    assert.deepEqual(row('10.244.0.0/32', true), [true, true]);
  });

  it('routed: the underlay address is the source', () => {
    assert.deepEqual(row('172.18.0.0/24', false), [true, true]);
    assert.deepEqual(row('10.244.0.0/32', false), [true, false]);
  });
});
