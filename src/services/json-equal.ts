// Equality of plain data as its canonical JSON sees it, without building the JSON. Controllers
// compare desired objects with stored ones on every pass; stringifying both sides (and sorting
// every object's keys) was most of the EndpointSlice controller's time when nothing had changed.
import { canonicalJSON } from '../api/util.js';

/**
 * True when canonicalJSON(a) === canonicalJSON(b): key order does not count, nor do keys whose value
 * is undefined (JSON leaves them out), and undefined in an array equals null (JSON writes null).
 * Values with a toJSON method (Dates) are compared by their JSON.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (hasToJSON(a) || hasToJSON(b)) return canonicalJSON(a) === canonicalJSON(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const k of Object.keys(x)) {
    if (x[k] === undefined) continue;
    defined++;
    if (!jsonEqual(x[k], y[k])) return false;
  }
  for (const k of Object.keys(y)) if (y[k] !== undefined) defined--;
  return defined === 0;
}

function hasToJSON(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function';
}
