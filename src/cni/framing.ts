// The shim <-> agent wire format (see shim/README.md). Pure, so both sides are unit-tested.
import type { CniRequest, CniResponse } from './types.js';

/** Request: "KEY=VALUE\0"... "\0" stdin. Returns undefined when the env terminator is missing. */
export function decodeRequest(buf: Buffer): CniRequest | undefined {
  const env: Record<string, string> = {};
  let off = 0;
  for (;;) {
    const nul = buf.indexOf(0, off);
    if (nul < 0) return undefined;
    if (nul === off) {
      off = nul + 1;
      break;
    }
    const entry = buf.toString('utf8', off, nul);
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    off = nul + 1;
  }
  return { env, stdin: buf.toString('utf8', off) };
}

export function encodeRequest(req: CniRequest): Buffer {
  const parts = Object.entries(req.env).map(([k, v]) => `${k}=${v}\0`);
  return Buffer.from(parts.join('') + '\0' + req.stdin, 'utf8');
}

export function encodeResponse(res: CniResponse): Buffer {
  return Buffer.from(`${res.exitCode}\n${res.stdout}`, 'utf8');
}

export function decodeResponse(buf: Buffer): CniResponse | undefined {
  const nl = buf.indexOf(10);
  if (nl < 0) return undefined;
  const code = buf.toString('utf8', 0, nl);
  if (!/^\d{1,3}$/.test(code)) return undefined;
  return { exitCode: Number(code), stdout: buf.toString('utf8', nl + 1) };
}
