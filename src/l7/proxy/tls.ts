// Certificates by SNI. Each listener's certificates become secure contexts once per table (a bad
// PEM fails the whole table before anything is swapped); the SNI callback looks the name up:
// an exact name first, then the longest `*.suffix` that covers it, then the listener's default.
import tls from 'node:tls';
import type { ListenerTls } from '../route-table.js';

export class TlsConfigError extends Error {
  readonly code = 'ETLSCONFIG';
}

export interface SniEntry<T> {
  hostnames: readonly string[];
  value: T;
}

/** The exact-then-longest-wildcard lookup, generic so it is unit-tested without certificates. */
export class SniTable<T> {
  private readonly exact = new Map<string, T>();
  /** Suffixes with their leading dot (`.example.com`), longest first. */
  private readonly wildcards: { suffix: string; value: T }[] = [];

  constructor(entries: readonly SniEntry<T>[], private readonly fallback?: T) {
    for (const e of entries) {
      for (const raw of e.hostnames) {
        const h = raw.toLowerCase();
        if (h.startsWith('*.')) this.wildcards.push({ suffix: h.slice(1), value: e.value });
        else if (!this.exact.has(h)) this.exact.set(h, e.value);
      }
    }
    this.wildcards.sort((a, b) => b.suffix.length - a.suffix.length);
  }

  select(servername: string | undefined): T | undefined {
    if (!servername) return this.fallback;
    const name = servername.toLowerCase().replace(/\.$/, '');
    const hit = this.exact.get(name);
    if (hit !== undefined) return hit;
    for (const w of this.wildcards) {
      if (name.endsWith(w.suffix) && name.length > w.suffix.length) return w.value;
    }
    return this.fallback;
  }
}

/** Secure contexts for one HTTPS listener; throws TlsConfigError naming the certificate. */
export function compileListenerTls(listenerName: string, cfg: ListenerTls | undefined): SniTable<tls.SecureContext> {
  if (!cfg || cfg.certificates.length === 0) throw new TlsConfigError(`listener ${listenerName}: HTTPS without certificates`);
  const entries: SniEntry<tls.SecureContext>[] = [];
  let fallback: tls.SecureContext | undefined;
  for (const c of cfg.certificates) {
    let ctx: tls.SecureContext;
    try {
      ctx = tls.createSecureContext({ cert: c.certPem, key: c.keyPem, ALPNProtocols: ['h2', 'http/1.1'] } as tls.SecureContextOptions);
    } catch (err) {
      throw new TlsConfigError(`listener ${listenerName}: certificate ${c.name}: ${(err as Error).message}`);
    }
    entries.push({ hostnames: c.hostnames, value: ctx });
    if (c.name === cfg.defaultCertificate) fallback = ctx;
  }
  if (cfg.defaultCertificate !== undefined && !fallback) {
    throw new TlsConfigError(`listener ${listenerName}: defaultCertificate ${cfg.defaultCertificate} is not among its certificates`);
  }
  return new SniTable(entries, fallback);
}
