// Spec versions and converting a result to the version the caller's config asked for.
import { incompatibleVersion } from './errors.js';
import type { CniResult, IpConfig } from './types.js';

export const SUPPORTED_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export const LATEST_VERSION = '1.1.0';

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function assertSupported(version: string): void {
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
    throw incompatibleVersion(`incompatible CNI versions; config is "${version}", plugin supports ${JSON.stringify(SUPPORTED_VERSIONS)}`);
  }
}

/** CHECK appeared in 0.4.0, GC and STATUS in 1.1.0 (SPEC.md, "Version considerations"). */
export function assertVerbAllowed(verb: string, version: string): void {
  const since: Record<string, string> = { CHECK: '0.4.0', GC: '1.1.0', STATUS: '1.1.0' };
  const min = since[verb];
  if (min && compareVersions(version, min) < 0) {
    throw incompatibleVersion(`config version "${version}" does not allow ${verb}`, `${verb} needs cniVersion >= ${min}`);
  }
}

function ipVersion(ip: IpConfig): '4' | '6' {
  return ip.address.includes(':') ? '6' : '4';
}

/**
 * Internal results are 1.x shaped. 0.3.x/0.4.0 results are the same except that every ips[] entry
 * carries `version` ("4"/"6"); 1.1.0 adds nothing we emit. Older (0.1/0.2) results are not produced.
 */
export function convertResult(result: CniResult, toVersion: string): Record<string, unknown> {
  const ips = result.ips.map((ip) => (compareVersions(toVersion, '1.0.0') < 0 ? { version: ipVersion(ip), ...ip } : { ...ip }));
  const out: Record<string, unknown> = { cniVersion: toVersion };
  if (result.interfaces?.length) out.interfaces = result.interfaces;
  out.ips = ips;
  if (result.routes?.length) out.routes = result.routes;
  out.dns = result.dns ?? {};
  return out;
}

/** Parses a result of any version >= 0.3.0 (from prevResult or a delegated IPAM plugin) into internal form. */
export function parseResult(raw: unknown): CniResult {
  if (!raw || typeof raw !== 'object') throw incompatibleVersion('result is not an object');
  const r = raw as Record<string, unknown>;
  const version = typeof r.cniVersion === 'string' ? r.cniVersion : '';
  if (version && compareVersions(version, '0.3.0') < 0) throw incompatibleVersion(`cannot convert result of version ${version}`);
  const ips = Array.isArray(r.ips) ? r.ips : [];
  return {
    interfaces: Array.isArray(r.interfaces) ? (r.interfaces as CniResult['interfaces']) : [],
    ips: ips.map((x) => {
      const { version: _v, ...rest } = x as IpConfig & { version?: string };
      return rest;
    }),
    routes: Array.isArray(r.routes) ? (r.routes as CniResult['routes']) : [],
    dns: (r.dns as CniResult['dns']) ?? {},
  };
}
