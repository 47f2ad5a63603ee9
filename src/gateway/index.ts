// The gateway's pure half, as other parts use it: Ingress and Gateway API objects → route tables
// (src/l7/route-table.ts) and status, their validators (for src/api to register), and the merge of
// a Gateway's table with the Ingress table for a deployment that serves both.
export { compileGateways, type GatewayCompileResult, type GatewayOptions } from './gateways.js';
export { compileIngresses, ingressClassOf, type IngressCompileResult, type IngressObjects, type IngressOptions, type IngressStatus } from './ingress.js';
export { mergeTables, type MergeResult } from './merge.js';
export { validateGateway, validateGatewayClass, validateHTTPRoute, validateIngress, validateIngressClass, validateReferenceGrant } from './validate.js';
export * from './types.js';
