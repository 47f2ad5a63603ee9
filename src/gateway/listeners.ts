// A Gateway's listeners judged on their own: protocol, route kinds, TLS certificates and conflicts
// with their neighbours, giving each listener's conditions and whether routes may attach to it.
// Podnet serves HTTP and HTTPS (TLS terminated) listeners; TLS passthrough, TCP and UDP are
// reported as UnsupportedProtocol rather than ignored.
import type { TlsCertificate } from '../l7/route-table.js';
import { condition } from './conditions.js';
import { referencePermitted, type Index } from './refs.js';
import { GATEWAY_GROUP, type Condition, type Gateway, type GatewayListener } from './types.js';

export interface ListenerInfo {
  spec: GatewayListener;
  /** Routes may attach: supported protocol, no conflict, and (HTTPS) a usable certificate. */
  valid: boolean;
  /** Route kinds this listener takes (`group/kind`). */
  kinds: { group: string; kind: string }[];
  certificates: TlsCertificate[];
  conditions: Condition[];
}

const SUPPORTED: Record<string, string[]> = { HTTP: ['HTTPRoute'], HTTPS: ['HTTPRoute'] };

export function judgeListeners(gw: Gateway, index: Index): ListenerInfo[] {
  const gen = gw.metadata.generation;
  const conflicts = findConflicts(gw.spec.listeners ?? []);
  return (gw.spec.listeners ?? []).map((l, i) => {
    const supported = SUPPORTED[l.protocol] !== undefined && (l.protocol !== 'HTTPS' || (l.tls?.mode ?? 'Terminate') === 'Terminate');
    const requested = l.allowedRoutes?.kinds;
    const allowed = SUPPORTED[l.protocol] ?? [];
    const kinds = (requested && requested.length > 0 ? requested : allowed.map((kind) => ({ group: GATEWAY_GROUP, kind })))
      .filter((k) => (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && allowed.includes(k.kind))
      .map((k) => ({ group: GATEWAY_GROUP, kind: k.kind }));
    const badKinds = (requested ?? []).some((k) => (k.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || !allowed.includes(k.kind));
    const certs = l.protocol === 'HTTPS' && supported ? certificatesOf(gw, l, index) : { certificates: [], problem: undefined };
    const conflict = conflicts[i];
    const conditions: Condition[] = [];
    conditions.push(supported
      ? condition('Accepted', true, 'Accepted', 'Listener is accepted', gen)
      : condition('Accepted', false, 'UnsupportedProtocol', `protocol ${l.protocol}${l.tls?.mode ? ` with TLS mode ${l.tls.mode}` : ''} is not supported by podnet`, gen));
    conditions.push(conflict
      ? condition('Conflicted', true, conflict, conflict === 'ProtocolConflict' ? `another listener on port ${l.port} uses a different protocol` : `another listener on port ${l.port} has the same hostname`, gen)
      : condition('Conflicted', false, 'NoConflicts', 'No conflicts', gen));
    if (certs.problem) conditions.push(condition('ResolvedRefs', false, certs.problem.reason, certs.problem.message, gen));
    else if (badKinds) conditions.push(condition('ResolvedRefs', false, 'InvalidRouteKinds', 'allowedRoutes.kinds names a kind this listener cannot serve', gen));
    else conditions.push(condition('ResolvedRefs', true, 'ResolvedRefs', 'All references resolved', gen));
    const valid = supported && !conflict && kinds.length > 0 && (l.protocol !== 'HTTPS' || certs.certificates.length > 0);
    conditions.push(valid
      ? condition('Programmed', true, 'Programmed', 'Listener is programmed', gen)
      : condition('Programmed', false, 'Invalid', 'Listener is not programmed: see its other conditions', gen));
    return { spec: l, valid, kinds, certificates: certs.certificates, conditions };
  });
}

/** Listeners sharing a port must agree on protocol and differ in hostname (Gateway API ListenerConditionReason). */
function findConflicts(listeners: readonly GatewayListener[]): ('ProtocolConflict' | 'HostnameConflict' | undefined)[] {
  return listeners.map((l, i) => {
    const others = listeners.filter((o, j) => j !== i && o.port === l.port);
    if (others.some((o) => o.protocol !== l.protocol)) return 'ProtocolConflict';
    if (others.some((o) => (o.hostname ?? '') === (l.hostname ?? ''))) return 'HostnameConflict';
    return undefined;
  });
}

interface CertResult {
  certificates: TlsCertificate[];
  problem?: { reason: 'InvalidCertificateRef' | 'RefNotPermitted'; message: string };
}

function certificatesOf(gw: Gateway, l: GatewayListener, index: Index): CertResult {
  const gwNs = gw.metadata.namespace ?? 'default';
  const out: TlsCertificate[] = [];
  let problem: CertResult['problem'];
  const refs = l.tls?.certificateRefs ?? [];
  if (refs.length === 0) problem = { reason: 'InvalidCertificateRef', message: 'an HTTPS listener needs tls.certificateRefs' };
  for (const ref of refs) {
    const ns = ref.namespace ?? gwNs;
    if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret') {
      problem ??= { reason: 'InvalidCertificateRef', message: `certificateRef ${ref.kind}: only core Secrets are supported` };
      continue;
    }
    if (!referencePermitted(index, { fromGroup: GATEWAY_GROUP, fromKind: 'Gateway', fromNamespace: gwNs, toGroup: '', toKind: 'Secret', toNamespace: ns, toName: ref.name })) {
      problem ??= { reason: 'RefNotPermitted', message: `certificateRef to Secret ${ns}/${ref.name} is not permitted by any ReferenceGrant in ${ns}` };
      continue;
    }
    const pem = tlsSecret(index, ns, ref.name);
    if (!pem) {
      problem ??= { reason: 'InvalidCertificateRef', message: `Secret ${ns}/${ref.name} is missing or not a kubernetes.io/tls Secret with tls.crt and tls.key` };
      continue;
    }
    out.push({ name: `${ns}/${ref.name}`, hostnames: l.hostname ? [l.hostname] : [], ...pem });
  }
  return { certificates: out, problem };
}

/** The PEM pair of a `kubernetes.io/tls` Secret (data is base64, stringData plain), or undefined. */
export function tlsSecret(index: Index, ns: string, name: string): { certPem: string; keyPem: string } | undefined {
  const s = index.secrets.get(`${ns}/${name}`);
  if (!s || s.type !== 'kubernetes.io/tls') return undefined;
  const read = (k: string): string | undefined => {
    const plain = (s as { stringData?: Record<string, string> }).stringData?.[k];
    if (plain) return plain;
    const b64 = s.data?.[k];
    return b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
  };
  const certPem = read('tls.crt');
  const keyPem = read('tls.key');
  if (!certPem?.includes('-----BEGIN') || !keyPem?.includes('-----BEGIN')) return undefined;
  return { certPem, keyPem };
}
