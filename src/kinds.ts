// Every kind podnet handles, assembled in one place: api's own kinds and each component's. The entry
// points that read manifests (the CLI through lab/daemon/launch.ts, the lab daemon, tests) call
// podnetKinds() and hand the registry to parseManifests and validateObjects, which require it. A
// component that adds a kind exports its definitions and is listed here; forgetting shows at once
// (the kind is reported as skipped, and src/kinds.test.ts names the kinds expected).
// This file sits above the components and below lab/cli/agent/apiserver (see eslint-rules/layers.js).
import { coreKinds } from './api/core-kinds.js';
import { KindRegistry } from './api/registry.js';
import { gatewayKinds } from './gateway/kinds.js';
import { meshKinds } from './mesh/kinds/index.js';
import { networkPolicyKinds } from './netpol/validate.js';
import { serviceKinds } from './services/service-spec.js';

/** A new registry of all podnet's kinds (new each call: a registry is mutable). */
export function podnetKinds(): KindRegistry {
  return new KindRegistry([...coreKinds, ...serviceKinds, ...networkPolicyKinds, ...gatewayKinds, ...meshKinds()]);
}
