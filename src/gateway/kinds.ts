// The kinds the gateway registers with the API layer (src/kinds.ts): Gateway API v1 (GatewayClass,
// Gateway, HTTPRoute, ReferenceGrant, at v1 as the conformance suite's manifests write them),
// networking.k8s.io/v1 Ingress and IngressClass, and core/v1 Secret, which only the gateway reads
// (certificates), checked as the API server checks a `kubernetes.io/tls` Secret.
import type { FieldError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { KindDefinition } from '../api/registry.js';
import { isRecord } from '../api/util.js';
import { validateGateway, validateGatewayClass, validateHTTPRoute, validateIngress, validateIngressClass, validateReferenceGrant } from './validate.js';
import { GATEWAY_GROUP } from './types.js';

const V1 = `${GATEWAY_GROUP}/v1`;

export const gatewayKinds: readonly KindDefinition[] = [
  { apiVersion: V1, kind: 'GatewayClass', validate: validateGatewayClass },
  { apiVersion: V1, kind: 'Gateway', validate: validateGateway },
  { apiVersion: V1, kind: 'HTTPRoute', validate: validateHTTPRoute },
  { apiVersion: V1, kind: 'ReferenceGrant', validate: validateReferenceGrant },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', validate: validateIngress },
  { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', validate: validateIngressClass },
  { apiVersion: 'v1', kind: 'Secret', validate: validateSecret },
];

/**
 * core/v1 Secret as ValidateSecret checks it: data values are base64, stringData values strings,
 * and type kubernetes.io/tls needs tls.crt and tls.key (in data or stringData).
 */
export function validateSecret(obj: KubeObject, err: FieldError): void {
  const o = obj as KubeObject & { data?: unknown; stringData?: unknown; type?: unknown };
  for (const key of ['data', 'stringData'] as const) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    if (!isRecord(v)) throw err(key, 'must be a mapping');
    for (const [k, val] of Object.entries(v)) {
      if (!/^[-._a-zA-Z0-9]+$/.test(k)) throw err(`${key}[${k}]`, 'a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'');
      if (typeof val !== 'string') throw err(`${key}[${k}]`, 'must be a string');
      if (key === 'data' && !/^[A-Za-z0-9+/]*={0,2}$/.test(val.replace(/\s/g, ''))) throw err(`data[${k}]`, 'must be base64');
    }
  }
  if (o.type !== undefined && typeof o.type !== 'string') throw err('type', 'must be a string');
  if (o.type === 'kubernetes.io/tls') {
    for (const k of ['tls.crt', 'tls.key']) {
      const has = (isRecord(o.data) && o.data[k] !== undefined) || (isRecord(o.stringData) && o.stringData[k] !== undefined);
      if (!has) throw err(`data[${k}]`, 'required for a Secret of type kubernetes.io/tls');
    }
  }
}
