// The mesh layer of `podnet policy explain`: after the NetworkPolicy verdict, what the destination's
// sidecar decides for the flow. Pure: the CLI gives the flow (who is meshed, their labels, service
// account, addresses, port, optionally an HTTP request) and the objects; this says whether mTLS is
// used (PeerAuthentication), what identity the destination sees, and which AuthorizationPolicy and
// rule allowed or denied it, in lines for the terminal and as data for -o json.
import type { AuthorizationPolicy, PeerAuthentication } from '../kinds/types.js';
import { authorize, ROOT_NAMESPACE } from './evaluate.js';
import { acceptsMtls, acceptsPlaintext, resolvePeerAuthentication, type PeerAuthResult } from './peer.js';
import type { AuthzRequest, AuthzVerdict } from './types.js';

export interface MeshEndpoint {
  /** `ns/name` of the pod, for the lines. */
  pod: string;
  namespace: string;
  labels: Record<string, string>;
  ip: string;
  /** Has a sidecar. */
  meshed: boolean;
}

export interface MeshFlow {
  source: MeshEndpoint & { serviceAccount: string };
  destination: MeshEndpoint & { port: number };
  /** The HTTP request to judge; unset judges the connection as TCP (HTTP-only rules as Istio). */
  http?: { method: string; path: string; host?: string; headers?: Record<string, string> };
}

export interface MeshPolicyObjects {
  authorizationPolicies: readonly AuthorizationPolicy[];
  peerAuthentications: readonly PeerAuthentication[];
  rootNamespace?: string;
  /** Default cluster.local. */
  trustDomain?: string;
}

export interface MeshExplanation {
  /** False when the destination has no sidecar: the mesh decides nothing. */
  applies: boolean;
  allowed: boolean;
  mtls: boolean;
  /** The identity the destination's sidecar sees (mTLS only). */
  principal?: string;
  peerAuthentication?: PeerAuthResult;
  /** Unset when the connection was refused before authorization (STRICT and plain text). */
  authorization?: AuthzVerdict;
  lines: string[];
}

export function explainMesh(flow: MeshFlow, objects: MeshPolicyObjects): MeshExplanation {
  const { source: src, destination: dst } = flow;
  const root = objects.rootNamespace ?? ROOT_NAMESPACE;
  const head = `mesh: ${src.pod} -> ${dst.pod} port ${dst.port}${flow.http ? ` ${flow.http.method} ${flow.http.path}` : ' (TCP)'}`;
  if (!dst.meshed) {
    return { applies: false, allowed: true, mtls: false, lines: [`${head}: not judged (the destination has no sidecar; the NetworkPolicy verdict stands)`] };
  }
  const workload = { namespace: dst.namespace, labels: dst.labels };
  const pa = resolvePeerAuthentication(objects.peerAuthentications, workload, dst.port, root);
  const paLine = `  peer authentication: ${pa.mode} (${pa.decidedBy === 'default' ? 'mesh default' : `${pa.decidedBy}, ${pa.level} level`})`;
  // Meshed clients use mTLS unless the server disables it (Istio's auto mTLS sends plain text then).
  const mtls = src.meshed && acceptsMtls(pa.mode);
  if (!mtls && !acceptsPlaintext(pa.mode)) {
    const lines = [`${head}: DENIED`, paLine, `  plain text from ${src.meshed ? 'a meshed' : 'an unmeshed'} pod is refused in STRICT mode: the connection is closed before any request`];
    return { applies: true, allowed: false, mtls: false, peerAuthentication: pa, lines };
  }
  const principal = mtls ? `${objects.trustDomain ?? 'cluster.local'}/ns/${src.namespace}/sa/${src.serviceAccount}` : undefined;
  const req: AuthzRequest = {
    source: { ip: src.ip, ...(principal ? { principal } : {}) },
    destination: { ip: dst.ip, port: dst.port },
    ...(flow.http ? { http: { method: flow.http.method, path: flow.http.path, host: flow.http.host, headers: lowerKeys(flow.http.headers ?? {}) } } : {}),
  };
  const verdict = authorize(req, objects.authorizationPolicies, workload, root);
  const lines = [
    `${head}: ${verdict.allowed ? 'ALLOWED' : 'DENIED'}`,
    paLine,
    `  source identity: ${principal ? `${principal} (mTLS)` : 'none (plain text: principals and namespaces cannot match)'}`,
    `  authorization: ${describe(verdict, flow.http !== undefined)}`,
  ];
  return { applies: true, allowed: verdict.allowed, mtls, ...(principal ? { principal } : {}), peerAuthentication: pa, authorization: verdict, lines };
}

function describe(v: AuthzVerdict, http: boolean): string {
  const denied = http ? 'HTTP 403' : 'connection closed';
  switch (v.reason) {
    case 'no-policy': return 'no ALLOW or DENY AuthorizationPolicy applies to the destination: allowed';
    case 'allow': return `allowed by AuthorizationPolicy ${v.policy} rule ${v.rule} (ALLOW)`;
    case 'deny': return `denied by AuthorizationPolicy ${v.policy} rule ${v.rule} (DENY): ${denied}`;
    case 'no-allow-match': return `denied: ALLOW policies apply (${(v.considered ?? []).join(', ')}) and none of their rules matches: ${denied}`;
  }
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

export function formatMeshExplanation(e: MeshExplanation): string {
  return `${e.lines.join('\n')}\n`;
}
