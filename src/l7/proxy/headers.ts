// Header handling at the front door: request framing checks (request smuggling), hop-by-hop
// stripping (RFC 9110 §7.6.1) and the X-Forwarded-* headers. Works on Node's rawHeaders
// ([name, value, name, value, ...]) so that repeated headers are seen as the client sent them.

import type { Header } from '../route-table.js';

/** Lower-case header name -> value(s), the shape undici and http2 accept. */
export type HeaderMap = Record<string, string | string[]>;

// RFC 9110 §7.6.1 plus the legacy ones proxies strip (Keep-Alive, Proxy-Connection).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection']);
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'host']);

/**
 * Rejects message framing that two parsers could read differently: Content-Length together with
 * Transfer-Encoding, repeated Content-Lengths that differ or are not digits, and a
 * Transfer-Encoding whose last coding is not `chunked` (RFC 9112 §6.1, §6.3).
 * Returns the problem, or undefined when the framing is unambiguous.
 */
export function framingProblem(raw: readonly string[]): string | undefined {
  const lengths: string[] = [];
  const codings: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name === 'content-length') lengths.push(...raw[i + 1].split(',').map((s) => s.trim()));
    else if (name === 'transfer-encoding') codings.push(...raw[i + 1].split(',').map((s) => s.trim().toLowerCase()));
  }
  if (lengths.length > 0 && codings.length > 0) return 'both Content-Length and Transfer-Encoding are present';
  if (lengths.some((l) => !/^\d{1,15}$/.test(l))) return 'Content-Length is not a decimal number';
  if (new Set(lengths).size > 1) return 'Content-Length values differ';
  if (codings.length > 0 && codings[codings.length - 1] !== 'chunked') return 'Transfer-Encoding does not end with chunked';
  return undefined;
}

export interface ForwardContext {
  /** The peer's address, appended to X-Forwarded-For. */
  clientIp: string;
  /** `http` or `https`: the scheme the client used. */
  proto: string;
  /** The Host (or :authority) the client sent, as sent. */
  host: string;
  /** Keep Upgrade/Connection for a WebSocket handshake (the upstream must see them). */
  websocket?: boolean;
}

/**
 * The headers to send upstream: hop-by-hop ones and those the Connection header names are
 * dropped, HTTP/2 pseudo-headers too, and Expect (this proxy answers 100-continue itself); X-Forwarded-For gets the client appended, -Proto and
 * -Host are set (overwriting what the client claimed for those two). Host is not included:
 * the caller sets it (it may be rewritten). Everything else, traceparent included, passes as is.
 */
export function forwardRequestHeaders(raw: readonly string[], ctx: ForwardContext): Header[] {
  const named = connectionNamed(raw);
  const out: Header[] = [];
  let xff: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    if (name.charCodeAt(0) === 58 /* ':' */) continue;
    if (name === 'x-forwarded-for') {
      xff = xff === undefined ? value : `${xff}, ${value}`;
      continue;
    }
    if (HOP_BY_HOP.has(name) || named.has(name) || name.startsWith('proxy-') || FORWARDED.has(name) || name === 'expect') continue;
    out.push({ name, value });
  }
  out.push({ name: 'x-forwarded-for', value: xff === undefined ? ctx.clientIp : `${xff}, ${ctx.clientIp}` });
  out.push({ name: 'x-forwarded-proto', value: ctx.proto });
  out.push({ name: 'x-forwarded-host', value: ctx.host });
  if (ctx.websocket) {
    out.push({ name: 'connection', value: 'Upgrade' });
    out.push({ name: 'upgrade', value: 'websocket' });
  }
  return out;
}

/** A header list as a map; names lower-cased, repeated names kept as arrays (sent as repeated lines). */
export function toHeaderMap(list: readonly Header[]): HeaderMap {
  const out: HeaderMap = {};
  for (const h of list) append(out, h.name.toLowerCase(), h.value);
  return out;
}

/** A map as a header list (for the response header modifiers). */
export function toHeaderList(map: Readonly<HeaderMap>): Header[] {
  const out: Header[] = [];
  for (const [name, v] of Object.entries(map)) {
    if (Array.isArray(v)) for (const x of v) out.push({ name, value: x });
    else out.push({ name, value: v });
  }
  return out;
}

/** Response headers from upstream minus hop-by-hop ones (and those its Connection names). */
export function forwardResponseHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): HeaderMap {
  const conn = headers['connection'];
  const named = new Set<string>();
  for (const v of conn === undefined ? [] : Array.isArray(conn) ? conn : [conn]) {
    for (const n of v.split(',')) named.add(n.trim().toLowerCase());
  }
  const out: HeaderMap = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    if (v === undefined || HOP_BY_HOP.has(name) || named.has(name) || name.startsWith('proxy-') || name.charCodeAt(0) === 58) continue;
    out[name] = v;
  }
  return out;
}

/** True for a WebSocket opening handshake (RFC 6455 §4.1): GET with Upgrade: websocket. */
export function isWebSocketUpgrade(method: string, raw: readonly string[]): boolean {
  if (method !== 'GET') return false;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() === 'upgrade' && raw[i + 1].split(',').some((p) => p.trim().toLowerCase() === 'websocket')) return true;
  }
  return false;
}

/** Sum of header name and value lengths, for the HTTP/2 431 check (HTTP/1's parser does its own). */
export function headerBytes(raw: readonly string[]): number {
  let n = 0;
  for (const s of raw) n += s.length;
  return n;
}

function connectionNamed(raw: readonly string[]): Set<string> {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() !== 'connection') continue;
    for (const n of raw[i + 1].split(',')) named.add(n.trim().toLowerCase());
  }
  return named;
}

function append(out: HeaderMap, name: string, value: string): void {
  const prev = out[name];
  if (prev === undefined) out[name] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else out[name] = [prev, value];
}
