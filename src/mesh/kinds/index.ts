// The mesh's kinds as the registry takes them (src/api/registry.ts): Istio's VirtualService,
// DestinationRule, PeerAuthentication and AuthorizationPolicy, each with its validation. The lead
// lists meshKinds() in src/kinds.ts.
//
// Istio serves the same schema under v1 and v1beta1 (networking also v1alpha3), and manifests in
// the wild use all of them: `alsoAccepts` lists the older ones, which the manifest loader takes as they are.
import type { KindDefinition } from '../../api/registry.js';
import { validateDestinationRule, validateVirtualService } from './networking.js';
import { validateAuthorizationPolicy, validatePeerAuthentication } from './security.js';
import { NETWORKING_VERSIONS, SECURITY_VERSIONS } from './types.js';

export interface MeshKindDefinition extends KindDefinition {
  alsoAccepts: readonly string[];
}

export function meshKinds(): MeshKindDefinition[] {
  const [net, ...netOld] = NETWORKING_VERSIONS;
  const [sec, ...secOld] = SECURITY_VERSIONS;
  return [
    { apiVersion: net, alsoAccepts: netOld, kind: 'VirtualService', validate: validateVirtualService },
    { apiVersion: net, alsoAccepts: netOld, kind: 'DestinationRule', validate: validateDestinationRule },
    { apiVersion: sec, alsoAccepts: secOld, kind: 'PeerAuthentication', validate: validatePeerAuthentication },
    { apiVersion: sec, alsoAccepts: secOld, kind: 'AuthorizationPolicy', validate: validateAuthorizationPolicy },
  ];
}

export * from './types.js';
export { parseIstioDuration } from './common.js';
export { grpcCode } from './networking.js';
