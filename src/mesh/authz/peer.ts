// PeerAuthentication resolution for one workload port, as Istio documents it (security/v1
// PeerAuthentication reference, "Policy precedence"): a policy with a selector matching the
// workload (in its namespace) beats the namespace-wide policy (no selector), which beats the
// mesh-wide one (no selector, in the root namespace); among several at one level the oldest wins.
// A mode of UNSET (or none) inherits from the level above; with nothing set the mesh default is
// PERMISSIVE. portLevelMtls, only on a workload policy, overrides the mode for that port (UNSET there
// inherits the workload's resolved mode). Ports are the workload's own (container) ports.
import { createdAt } from '../../gateway/precedence.js';
import type { MtlsMode, PeerAuthentication } from '../kinds/types.js';
import { ROOT_NAMESPACE } from './evaluate.js';
import type { Workload } from './types.js';

export type EffectiveMode = Exclude<MtlsMode, 'UNSET'>;

export interface PeerAuthResult {
  mode: EffectiveMode;
  /** `PeerAuthentication ns/name` that set the mode, or `default` (mesh default PERMISSIVE). */
  decidedBy: string;
  level: 'port' | 'workload' | 'namespace' | 'mesh' | 'default';
}

export function resolvePeerAuthentication(policies: readonly PeerAuthentication[], workload: Workload, port: number, rootNamespace = ROOT_NAMESPACE): PeerAuthResult {
  const inNs = (ns: string): PeerAuthentication[] => policies.filter((p) => (p.metadata.namespace ?? 'default') === ns);
  const own = inNs(workload.namespace);
  const selected = oldest(own.filter((p) => p.spec.selector?.matchLabels !== undefined && Object.entries(p.spec.selector.matchLabels).every(([k, v]) => workload.labels[k] === v)));
  const namespaceWide = oldest(own.filter((p) => !p.spec.selector));
  const meshWide = oldest(inNs(rootNamespace).filter((p) => !p.spec.selector));
  let result: PeerAuthResult = { mode: 'PERMISSIVE', decidedBy: 'default', level: 'default' };
  for (const [p, level] of [[meshWide, 'mesh'], [namespaceWide, 'namespace'], [selected, 'workload']] as const) {
    const mode = p?.spec.mtls?.mode;
    if (p && mode && mode !== 'UNSET') result = { mode, decidedBy: ref(p), level };
  }
  const portMode = selected?.spec.portLevelMtls?.[String(port)]?.mode;
  if (selected && portMode && portMode !== 'UNSET') result = { mode: portMode, decidedBy: ref(selected), level: 'port' };
  return result;
}

/** Whether a plain-text connection is accepted in this mode (STRICT refuses it). */
export function acceptsPlaintext(mode: EffectiveMode): boolean {
  return mode !== 'STRICT';
}

/** Whether mTLS from a meshed client is accepted in this mode (DISABLE serves plain text only). */
export function acceptsMtls(mode: EffectiveMode): boolean {
  return mode !== 'DISABLE';
}

function oldest(list: PeerAuthentication[]): PeerAuthentication | undefined {
  return [...list].sort((a, b) => {
    const ta = createdAt(a.metadata.creationTimestamp);
    const tb = createdAt(b.metadata.creationTimestamp);
    return ta !== tb ? (ta < tb ? -1 : 1) : a.metadata.name < b.metadata.name ? -1 : 1;
  })[0];
}

function ref(p: PeerAuthentication): string {
  return `PeerAuthentication ${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
}
