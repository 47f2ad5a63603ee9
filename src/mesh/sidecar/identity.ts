// The sidecar's workload identity: a key made here (it never leaves the process), a CSR to the
// mesh CA, and renewal at two thirds of the certificate's life (Istio's and SPIRE's rule), with
// the old certificate kept in use until the new one arrives. Without a valid certificate the
// sidecar has no identity: current() is undefined and status() says why, so mTLS fails closed.
// Time and timers are injected so the schedule is unit-tested with a fake clock.
import { createCsr, type KeyAndCsr } from '../ca/csr.js';

export interface IssuedIdentity {
  certPem: string;
  bundle: string[];
  notBefore: string;
  notAfter: string;
}

export interface Identity extends IssuedIdentity {
  keyPem: string;
  spiffeId: string;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { unref?(): unknown };
  clearTimeout(handle: { unref?(): unknown }): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface IdentityStatus {
  state: 'ready' | 'pending' | 'expired';
  spiffeId: string;
  notAfter?: string;
  /** The last failure, kept until an issuance succeeds. */
  reason?: string;
}

/** When to renew: at 2/3 of the certificate's life, measured from now. */
export function renewDelayMs(notBefore: number, notAfter: number, now: number): number {
  return Math.max(0, notBefore + ((notAfter - notBefore) * 2) / 3 - now);
}

export interface IdentityOptions {
  spiffeId: string;
  issue: (csrPem: string) => Promise<IssuedIdentity>;
  clock?: Clock;
  /** Pause after a failed issuance; default 1 s, capped to a tenth of what remains of the certificate. */
  retryMs?: number;
  makeCsr?: (spiffeId: string) => Promise<KeyAndCsr>;
  onChange?: (id: Identity) => void;
}

export class IdentityClient {
  private cert: Identity | undefined;
  private reason: string | undefined = 'no certificate requested yet';
  private timer: { unref?(): unknown } | undefined;
  private stopped = false;
  private readonly clock: Clock;

  constructor(private readonly opts: IdentityOptions) {
    this.clock = opts.clock ?? realClock;
  }

  /** The identity to use now; undefined when there is none or it has expired. */
  current(): Identity | undefined {
    return this.cert && Date.parse(this.cert.notAfter) > this.clock.now() ? this.cert : undefined;
  }

  status(): IdentityStatus {
    const cur = this.current();
    const state = cur ? 'ready' : this.cert ? 'expired' : 'pending';
    return { state, spiffeId: this.opts.spiffeId, notAfter: this.cert?.notAfter, reason: cur ? undefined : this.reason };
  }

  /** Requests the first certificate (resolves after the first attempt, success or not) and keeps renewing. */
  async start(): Promise<void> {
    await this.renew();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
  }

  private async renew(): Promise<void> {
    if (this.stopped) return;
    const now = this.clock.now();
    try {
      const { keyPem, csrPem } = await (this.opts.makeCsr ?? createCsr)(this.opts.spiffeId);
      const issued = await this.opts.issue(csrPem);
      this.cert = { ...issued, keyPem, spiffeId: this.opts.spiffeId };
      this.reason = undefined;
      this.opts.onChange?.(this.cert);
      this.schedule(renewDelayMs(Date.parse(issued.notBefore), Date.parse(issued.notAfter), this.clock.now()));
    } catch (err) {
      this.reason = `certificate request failed: ${(err as Error).message}`;
      const left = this.cert ? Date.parse(this.cert.notAfter) - now : Infinity;
      this.schedule(Math.max(50, Math.min(this.opts.retryMs ?? 1000, left / 10)));
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => void this.renew(), ms);
    this.timer.unref?.();
  }
}
