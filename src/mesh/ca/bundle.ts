// Trust-bundle rotation without a dropped connection. A new root is trusted everywhere before
// anything is signed with it, and the old one stays trusted until every leaf it signed has expired:
//   t0            new root added to the bundle (trusted, not signing)
//   t0 + L        new root signs; by now every workload has refreshed its bundle (they renew at 2L/3)
//   t0 + 2L       old root dropped; the last leaf it signed (at t0 + L) has just expired
// where L is the workload certificate lifetime. Pure: the clock is an argument.
export interface RootEntry<R> {
  root: R;
  /** From when this root signs (ms since the epoch). */
  signsFrom: number;
  /** When it leaves the bundle; undefined while it is current. */
  retireAt?: number;
}

/** The root that signs at `now`: the newest one whose signing has begun. */
export function signingRoot<R>(entries: readonly RootEntry<R>[], now: number): R {
  let best: RootEntry<R> | undefined;
  for (const e of entries) if (e.signsFrom <= now && (e.retireAt === undefined || e.retireAt > now) && (!best || e.signsFrom > best.signsFrom)) best = e;
  if (!best) throw new Error('mesh CA: no root signs now');
  return best.root;
}

/** The roots a workload must trust at `now`: every root not yet retired, pending ones included. */
export function trustedRoots<R>(entries: readonly RootEntry<R>[], now: number): R[] {
  return entries.filter((e) => e.retireAt === undefined || e.retireAt > now).map((e) => e.root);
}

/** The schedule for adding `next` at `now` when leaves live `leafMs`; older roots retire at now + 2L. */
export function scheduleRotation<R>(entries: readonly RootEntry<R>[], next: R, now: number, leafMs: number): RootEntry<R>[] {
  const kept = entries.filter((e) => e.retireAt === undefined || e.retireAt > now);
  return [
    ...kept.map((e) => ({ ...e, retireAt: Math.min(e.retireAt ?? Infinity, now + 2 * leafMs) })),
    { root: next, signsFrom: now + leafMs },
  ];
}
