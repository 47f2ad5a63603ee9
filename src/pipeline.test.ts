// The pieces in the order the lab calls them, with podnet's registry of kinds: manifests → validate →
// cluster → pods → placement.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifests } from './api/manifests.js';
import { validateObjects } from './api/validate.js';
import { podCapacity, resolveCluster } from './api/cluster.js';
import { expandWorkloads } from './api/workloads.js';
import { podKey, schedule } from './api/schedule.js';
import { podnetKinds } from './kinds.js';

const text = `apiVersion: podnet.dev/v1alpha1
kind: Cluster
metadata: {name: demo}
spec: {nodes: 3, ipFamily: dual}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: agnhost
        args: [netexec, --http-port=8080]
        ports: [{containerPort: 8080, name: http}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: agnhost}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
`;

describe('manifest pipeline', () => {
  it('loads, validates, resolves, expands and schedules deterministically', () => {
    const { objects, skipped } = parseManifests([{ file: 'demo.yaml', text }], podnetKinds());
    assert.deepEqual(skipped.map((s) => `${s.kind}/${s.name}`), ['ConfigMap/settings']);
    validateObjects(objects, new Set(), podnetKinds());
    const config = resolveCluster({}, objects.find((o) => o.object.kind === 'Cluster'));
    assert.equal(config.nodes.length, 3);
    const pods = expandWorkloads(objects.map((o) => o.object), config.nodes);
    assert.equal(pods.length, 7);
    const placement = schedule(pods, config.nodes, podCapacity(config), new Map());
    const perNode = new Map<string, number>();
    for (const node of placement.values()) perNode.set(node, (perNode.get(node) ?? 0) + 1);
    assert.deepEqual([...perNode.values()].sort(), [2, 2, 3]);
    // Re-running with the previous placement changes nothing.
    const again = schedule(expandWorkloads(objects.map((o) => o.object), config.nodes), config.nodes, podCapacity(config), placement);
    assert.deepEqual([...again.entries()].sort(), [...placement.entries()].sort());
    assert.ok(pods.every((p) => placement.has(podKey(p))));
  });
});
