// Deterministic name suffixes for generated pods. Kubernetes uses random suffixes for pods and an
// FNV hash of the template for `pod-template-hash`; the lab derives both from content instead, so
// re-applying an unchanged workload yields the same pod names (nothing restarts) while a changed
// template yields new ones (a rollout), with no randomness in the plan.
import { createHash } from 'node:crypto';
import { canonicalJSON } from './util.js';

/** Kubernetes' alphabet for generated names (k8s.io/apimachinery/pkg/util/rand): no vowels, no 0/1/3, so no words or look-alikes. */
export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `length` characters from SAFE_ALPHABET, a stable function of `parts`. */
export function safeHash(length: number, ...parts: unknown[]): string {
  const digest = createHash('sha256').update(canonicalJSON(parts)).digest();
  let n = BigInt(`0x${digest.toString('hex')}`);
  const base = BigInt(SAFE_ALPHABET.length);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += SAFE_ALPHABET[Number(n % base)];
    n /= base;
  }
  return out;
}
