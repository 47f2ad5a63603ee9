// The mesh certificate authority of one lab: roots (with rotation, bundle.ts) and issuance of
// workload certificates for a proven identity. Who the requester is comes from the caller (the
// CA server proves it from the connection); here the CSR is checked against it.
import { createRoot, type CaRoot } from './root.js';
import { signWorkload, DEFAULT_LIFETIME_SEC, type IssuedCert } from './sign.js';
import { signingRoot, trustedRoots, scheduleRotation, type RootEntry } from './bundle.js';
import { spiffeId } from './spiffe.js';

export interface MeshCaOptions {
  trustDomain?: string;
  /** Workload certificate lifetime; default 24 h, down to seconds for tests. */
  leafLifetimeSec?: number;
  now?: () => Date;
}

export interface Issued extends IssuedCert {
  spiffeId: string;
  /** PEM roots to trust, pending ones included. */
  bundle: string[];
}

export class MeshCa {
  readonly trustDomain: string;
  readonly leafLifetimeSec: number;
  private readonly now: () => Date;
  private roots: RootEntry<CaRoot>[] = [];

  private constructor(opts: MeshCaOptions) {
    this.trustDomain = opts.trustDomain ?? 'cluster.local';
    this.leafLifetimeSec = opts.leafLifetimeSec ?? DEFAULT_LIFETIME_SEC;
    if (!(this.leafLifetimeSec >= 1)) throw new RangeError(`mesh CA: leafLifetimeSec must be at least 1, got ${this.leafLifetimeSec}`);
    this.now = opts.now ?? (() => new Date());
  }

  static async create(opts: MeshCaOptions = {}): Promise<MeshCa> {
    const ca = new MeshCa(opts);
    const now = ca.now();
    ca.roots = [{ root: await createRoot({ trustDomain: ca.trustDomain, now }), signsFrom: now.getTime() }];
    return ca;
  }

  bundle(): string[] {
    return trustedRoots(this.roots, this.now().getTime()).map((r) => r.pem);
  }

  /** Starts a root rotation (see bundle.ts for the schedule). */
  async rotateRoot(): Promise<void> {
    const now = this.now();
    const next = await createRoot({ trustDomain: this.trustDomain, now });
    this.roots = scheduleRotation(this.roots, next, now.getTime(), this.leafLifetimeSec * 1000);
  }

  /** Signs `csrPem` for the workload proven to be ns/sa; throws CsrError when the CSR names anyone else. */
  async sign(csrPem: string, who: { namespace: string; serviceAccount: string }): Promise<Issued> {
    const now = this.now();
    const id = spiffeId({ trustDomain: this.trustDomain, ...who });
    const root = signingRoot(this.roots, now.getTime());
    const issued = await signWorkload(root, csrPem, id, { now, lifetimeSec: this.leafLifetimeSec });
    return { ...issued, spiffeId: id, bundle: this.bundle() };
  }
}
