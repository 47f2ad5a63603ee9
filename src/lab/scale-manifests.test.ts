import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { scaleCounts, scaleManifests } from './scale-manifests.js';

describe('scale manifests', () => {
  it('1,000 pods: 100 netexec and 900 pause Deployments on 10 nodes', () => {
    const docs = parseAllDocuments(scaleManifests({ pods: 1000, nodes: 10 })).map((d) => d.toJS() as { kind: string; spec: { replicas?: number; nodes?: number } });
    assert.deepEqual(docs.map((d) => d.kind), ['Cluster', 'Namespace', 'Namespace', 'Deployment', 'Deployment']);
    assert.equal(docs[0].spec.nodes, 10);
    assert.equal(docs[3].spec.replicas, 100);
    assert.equal(docs[4].spec.replicas, 900);
  });

  it('small labs keep at least two netexec pods, so check has a pair', () => {
    assert.deepEqual(scaleCounts({ pods: 10, nodes: 2 }), { netexec: 2, pause: 8 });
    assert.deepEqual(scaleCounts({ pods: 2, nodes: 1 }), { netexec: 2, pause: 0 });
  });

  it('refuses sizes that are not whole numbers', () => {
    assert.throws(() => scaleManifests({ pods: 1.5, nodes: 1 }), /pods must be an integer/);
    assert.throws(() => scaleManifests({ pods: 10, nodes: 0 }), /nodes must be an integer/);
  });
});
