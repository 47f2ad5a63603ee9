// Request-target normalisation, done once per request so that the path the matcher saw is the
// path the upstream gets (the front door's defence against `/public/../admin` style bypasses).
// RFC 3986 §6.2.2: percent-encoding hex is upper-cased and encoded unreserved characters are
// decoded (`/%61` is `/a`); §5.2.4: dot segments are removed, also when written `%2e`. An encoded
// slash (`%2F`) stays encoded everywhere: it is data inside one segment, never a separator (the
// same choice as Envoy's `path_with_escaped_slashes_action: KEEP_UNCHANGED`), so the matcher and the
// upstream both see `%2F`.

export type NormalizeResult = { ok: true; path: string; query: string } | { ok: false; reason: string };

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Splits and normalises a request target (origin-form, or absolute-form whose path is used). */
export function normalizeTarget(target: string): NormalizeResult {
  let t = target;
  if (!t.startsWith('/')) {
    // absolute-form (`http://host/p`) is legal to a proxy; keep its path and query.
    const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(t);
    if (!m) return { ok: false, reason: `request target ${JSON.stringify(truncate(t))} is not a path` };
    t = t.slice(m[0].length) || '/';
    if (!t.startsWith('/')) t = '/' + t;
  }
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf('?');
  const rawPath = q >= 0 ? t.slice(0, q) : t;
  const query = q >= 0 ? t.slice(q + 1) : '';
  const path = normalizePath(rawPath);
  if (path === undefined) return { ok: false, reason: `path ${JSON.stringify(truncate(rawPath))} has a malformed percent-encoding` };
  return { ok: true, path, query };
}

/** Normalises a path (no query); undefined when a `%` is not followed by two hex digits. */
export function normalizePath(raw: string): string | undefined {
  let decoded = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== '%') {
      decoded += c;
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    const ch = String.fromCharCode(parseInt(hex, 16));
    decoded += UNRESERVED.test(ch) ? ch : '%' + hex.toUpperCase();
    i += 2;
  }
  return removeDotSegments(decoded);
}

/** RFC 3986 §5.2.4 on an absolute path, segment-wise; `..` never climbs above the root. */
export function removeDotSegments(path: string): string {
  const input = path.split('/');
  const out: string[] = [];
  // input[0] is the empty string before the leading slash.
  for (let i = 1; i < input.length; i++) {
    const seg = input[i];
    const last = i === input.length - 1;
    if (seg === '.') {
      if (last) out.push('');
    } else if (seg === '..') {
      out.pop();
      if (last) out.push('');
    } else out.push(seg);
  }
  return '/' + out.join('/');
}

function truncate(s: string): string {
  return s.length > 100 ? s.slice(0, 100) + '…' : s;
}
