// The mesh's authorization, pure: AuthorizationPolicy evaluation, PeerAuthentication resolution,
// and the mesh layer of `podnet policy explain`.
export { applicablePolicies, authorize, ROOT_NAMESPACE } from './evaluate.js';
export { explainMesh, formatMeshExplanation, type MeshEndpoint, type MeshExplanation, type MeshFlow, type MeshPolicyObjects } from './explain.js';
export { acceptsMtls, acceptsPlaintext, resolvePeerAuthentication, type EffectiveMode, type PeerAuthResult } from './peer.js';
export type { AuthzRequest, AuthzVerdict, Workload } from './types.js';
