import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareMatrices, matrix, matrixFromJSON, matrixJSON, parseMatrix, reachability, renderMatrix } from './matrix.js';
import { E2E_PODS, SCENARIOS, e2eWorld } from './scenarios.js';

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
