import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import type { V1Pod } from '../api/types.js';
import { golden, testdataOf } from '../testing/golden.test-util.js';
import { captureConfig, CaptureConfigError } from './capture-config.js';
import { capturePlan } from './capture.js';

const TESTDATA = testdataOf('mesh', import.meta.url);

// Each testdata/capture-NAME.in.yaml holds {pod, probeSources}; its plan is capture-NAME.out.nft.
for (const file of readdirSync(TESTDATA).filter((f) => /^capture-.*\.in\.yaml$/.test(f))) {
  test(`capture plan golden: ${file}`, () => {
    const input = parse(readFileSync(new URL(file, TESTDATA), 'utf8')) as { pod: V1Pod; probeSources: string[] };
    golden(TESTDATA, file.replace('.in.yaml', '.out.nft'), capturePlan(captureConfig(input.pod, input.probeSources)));
  });
}

test('bad annotations are one line naming pod and annotation', () => {
  const pod = (k: string, v: string): V1Pod => ({ metadata: { name: 'web', namespace: 'shop', annotations: { [k]: v } } });
  assert.throws(() => captureConfig(pod('traffic.sidecar.istio.io/excludeInboundPorts', '80,http'), []), (e: unknown) =>
    e instanceof CaptureConfigError && e.message === 'Pod shop/web: metadata.annotations[traffic.sidecar.istio.io/excludeInboundPorts]: "http" is not a port (1-65535)');
  assert.throws(() => captureConfig(pod('traffic.sidecar.istio.io/excludeOutboundIPRanges', '10.0.0.0/33'), []), /excludeOutboundIPRanges\]: "10.0.0.0\/33" is not a CIDR/);
  assert.throws(() => captureConfig(pod('traffic.sidecar.istio.io/includeInboundPorts', '0'), []), /includeInboundPorts\]: "0" is not a port/);
});

test('defaults capture every port, both directions; an empty includeInboundPorts captures no inbound', () => {
  const plan = capturePlan(captureConfig({ metadata: { name: 'a' } }, ['10.244.0.1']));
  assert.match(plan, /redirect to :15006/);
  assert.match(plan, /redirect to :15001/);
  const none = capturePlan(captureConfig({ metadata: { name: 'a', annotations: { 'traffic.sidecar.istio.io/includeInboundPorts': '' } } }, []));
  assert.doesNotMatch(none, /redirect to :15006/);
});
