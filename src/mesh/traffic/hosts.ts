// Host names as Istio resolves them (pilot's ResolveShortnameToFQDN): a name without a dot in a
// VirtualService or DestinationRule means a Service in the object's own namespace (`reviews` in
// `default` is reviews.default.svc.cluster.local); a name with a dot is taken as an FQDN as it is
// (`reviews.other` names no Service: write reviews.other.svc.cluster.local); `*.suffix` and `*` are
// wildcards over FQDNs.

/** FQDN of a Service. */
export function serviceFqdn(ns: string, name: string, domain: string): string {
  return `${name}.${ns}.svc.${domain}`;
}

/** The host written in an object of namespace `ns`, as the FQDN Istio reads it. */
export function expandHost(host: string, ns: string, domain: string): string {
  return host === '*' || host.includes('.') ? host : serviceFqdn(ns, host, domain);
}

/** `ns/name` of the Service an FQDN names, if it is a cluster Service name. */
export function serviceOfFqdn(fqdn: string, domain: string): string | undefined {
  const suffix = `.svc.${domain}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const parts = fqdn.slice(0, -suffix.length).split('.');
  return parts.length === 2 ? `${parts[1]}/${parts[0]}` : undefined;
}

/**
 * How specifically `pattern` (an expanded host) covers `fqdn`: 0 not at all, then wildcards by
 * suffix length, and exact above every wildcard. Istio's sidecar picks the most specific host.
 */
export function hostSpecificity(pattern: string, fqdn: string): number {
  if (pattern === fqdn) return 1_000_000;
  if (pattern === '*') return 1;
  if (pattern.startsWith('*.') && fqdn.endsWith(pattern.slice(1))) return 1 + pattern.length;
  return 0;
}

/** The names a client may use for a Service, as DNS search paths allow. */
export function serviceHosts(ns: string, name: string, domain: string): string[] {
  return [serviceFqdn(ns, name, domain), `${name}.${ns}.svc`, `${name}.${ns}`, name];
}
