// Hostname rules of the Gateway API (HTTPRoute spec.hostnames, Listener hostname). A wildcard
// `*.example.com` covers one or more leading labels and never `example.com` itself.

/** Does `pattern` (exact or `*.suffix`) cover the exact host `host`? */
export function wildcardCovers(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === host;
  return host.endsWith(pattern.slice(1)) && !host.startsWith('*.') && host.length > pattern.length - 1;
}

/**
 * The hostnames a route serves on a listener: the intersection of the listener's hostname (absent:
 * any) and the route's (none: the listener's). Per the spec, a route host `*.example.com` on a
 * listener `foo.example.com` serves `foo.example.com`, and the more specific of two overlapping
 * wildcards wins. `['*']` means any host; `[]` means no intersection (NoMatchingListenerHostname).
 */
export function intersectHostnames(listenerHost: string | undefined, route: readonly string[] | undefined): string[] {
  const listener = listenerHost?.toLowerCase();
  const hosts = (route ?? []).map((h) => h.toLowerCase());
  if (!listener) return hosts.length === 0 ? ['*'] : dedupe(hosts);
  if (hosts.length === 0) return [listener];
  const out: string[] = [];
  for (const h of hosts) {
    if (h === listener) out.push(h);
    else if (listener.startsWith('*.') && h.startsWith('*.')) {
      // Two wildcards overlap when one suffix ends with the other; the longer one is the overlap.
      if (h.endsWith(listener.slice(1))) out.push(h);
      else if (listener.endsWith(h.slice(1))) out.push(listener);
    } else if (wildcardCovers(listener, h)) out.push(h);
    else if (wildcardCovers(h, listener)) out.push(listener);
  }
  return dedupe(out);
}

function dedupe(list: readonly string[]): string[] {
  return [...new Set(list.map((h) => h.toLowerCase()))];
}

/**
 * Specificity of a virtual host name for ordering: exact names first, then wildcards by the length
 * of their suffix, then `*`. Larger is more specific.
 */
export function hostSpecificity(host: string): number {
  if (host === '*') return 0;
  if (host.startsWith('*.')) return 1 + host.length;
  return 1_000_000 + host.length;
}
