// Istio's traffic annotations on a pod -> the capture settings, with one clear error line naming
// the pod and the annotation when a value is not a port list or CIDR list.
import type { V1Pod } from '../api/types.js';
import { parseCIDR, formatCIDR } from '../api/cidr.js';

export class CaptureConfigError extends Error {
  readonly code = 'ECAPTURE';
}

export interface CaptureConfig {
  /** '*' captures every inbound port (Istio's default); a list captures only those. */
  includeInboundPorts: '*' | number[];
  excludeInboundPorts: number[];
  excludeOutboundPorts: number[];
  excludeOutboundIPRanges: string[];
  /** Where kubelet probes come from (the node's addresses on the pod network): never captured. */
  probeSources: string[];
}

export const ANN = {
  includeInboundPorts: 'traffic.sidecar.istio.io/includeInboundPorts',
  excludeInboundPorts: 'traffic.sidecar.istio.io/excludeInboundPorts',
  excludeOutboundPorts: 'traffic.sidecar.istio.io/excludeOutboundPorts',
  excludeOutboundIPRanges: 'traffic.sidecar.istio.io/excludeOutboundIPRanges',
} as const;

function list(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function captureConfig(pod: V1Pod, probeSources: string[]): CaptureConfig {
  const ann = pod.metadata?.annotations ?? {};
  const where = `Pod ${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}: metadata.annotations[${'%s'}]`;
  const fail = (key: string, msg: string): never => {
    throw new CaptureConfigError(`${where.replace('%s', key)}: ${msg}`);
  };
  const ports = (key: string): number[] =>
    list(ann[key]).map((p) => {
      const n = Number(p);
      return /^\d+$/.test(p) && n >= 1 && n <= 65535 ? n : fail(key, `"${p}" is not a port (1-65535)`);
    });
  const include = ann[ANN.includeInboundPorts];
  const ranges = list(ann[ANN.excludeOutboundIPRanges]).map((r) => {
    try {
      return formatCIDR(parseCIDR(r.includes('/') ? r : `${r}/${r.includes(':') ? 128 : 32}`));
    } catch {
      return fail(ANN.excludeOutboundIPRanges, `"${r}" is not a CIDR`);
    }
  });
  return {
    includeInboundPorts: include === undefined || include.trim() === '*' ? '*' : ports(ANN.includeInboundPorts),
    excludeInboundPorts: ports(ANN.excludeInboundPorts),
    excludeOutboundPorts: ports(ANN.excludeOutboundPorts),
    excludeOutboundIPRanges: ranges,
    probeSources,
  };
}
