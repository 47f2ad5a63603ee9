// The Gateway API conformance echo server (gcr.io/k8s-staging-gateway-api/echo-basic), the pure
// part: the JSON answer, byte for byte as upstream's conformance/echo-basic/echo-basic.go writes
// it (json.MarshalIndent with one-space indent, Go's canonical header keys, Go's HTML escaping),
// X-Echo-Set-Header handling and Go's duration syntax for `?delay=`.

export interface EchoContext {
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
}

export interface EchoTls {
  version: string;
  peerCertificates?: string[];
  serverName: string;
  negotiatedProtocol?: string;
  cipherSuite: string;
}

export interface EchoRequest {
  /** The request target as received (RequestURI: path and query, unnormalised). */
  requestUri: string;
  /** Host header, or :authority for HTTP/2. */
  host: string;
  method: string;
  /** `HTTP/1.1` or `HTTP/2.0` (Go's r.Proto). */
  proto: string;
  /** Node's rawHeaders (name, value, ...), pseudo-headers and Host excluded by the caller or here. */
  rawHeaders: readonly string[];
  tls?: EchoTls;
}

/** Go's textproto.CanonicalMIMEHeaderKey: `x-forwarded-for` -> `X-Forwarded-For`. */
export function canonicalHeaderKey(name: string): string {
  // Go leaves keys with characters outside the token set unchanged.
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** r.Header as Go builds it: canonical keys, values in order, Host left out (Go moves it to r.Host). */
export function goHeaders(raw: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.startsWith(':') || name.toLowerCase() === 'host') continue;
    const key = canonicalHeaderKey(name);
    (out[key] ??= []).push(raw[i + 1]);
  }
  return out;
}

/** The echo JSON: the same fields, order and formatting as upstream's RequestAssertions. */
export function echoBody(req: EchoRequest, ctx: EchoContext): string {
  const headers = goHeaders(req.rawHeaders);
  // Go marshals map keys sorted.
  const sorted: Record<string, string[]> = {};
  for (const k of Object.keys(headers).sort()) sorted[k] = headers[k];
  const body: Record<string, unknown> = {
    path: req.requestUri,
    host: req.host,
    method: req.method,
    proto: req.proto,
    headers: sorted,
    namespace: ctx.namespace,
    ingress: ctx.ingress,
    service: ctx.service,
    pod: ctx.pod,
  };
  if (req.tls) body.tls = req.tls;
  body.sni = '';
  return goEscape(JSON.stringify(body, null, 1));
}

/** encoding/json's HTML-safe escaping of <, > and &, and of U+2028/U+2029. */
function goEscape(s: string): string {
  return s.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** X-Echo-Set-Header: `Name: value, Other: value` -> response headers (upstream's writeEchoResponseHeaders). */
export function echoSetHeaders(raw: readonly string[]): [string, string][] {
  const out = new Map<string, string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() !== 'x-echo-set-header') continue;
    for (const kv of raw[i + 1].split(',')) {
      const t = kv.trim();
      const colon = t.indexOf(':');
      const name = colon >= 0 ? t.slice(0, colon) : t;
      // Go's header writer skips names that are not tokens (the suite sends an empty
      // X-Echo-Set-Header with every request); Node's setHeader would throw on them.
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) continue;
      const value = colon >= 0 ? t.slice(colon + 1) : '';
      const prev = out.get(name);
      // Go trims header values when it writes them, so the first one is trimmed too.
      out.set(name, prev === undefined ? value.trim() : `${prev},${value.trim()}`);
    }
  }
  return [...out];
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds; undefined when invalid. */
export function parseGoDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const part of s.replace(/^[-+]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += parseFloat(part[1]) * UNITS[part[2]];
  return m[1] === '-' ? -total : total;
}
