// The table as the sum of Service fragments, kept so that one changed Service costs a few binary
// searches instead of a pass over every element. Element lists stay sorted; a list is copied before
// its first change after a snapshot (copy on write), so plans handed out earlier never change and
// renderUpdate can skip every set whose list is the very same array as before.
import type { Fragment } from './fragment.js';
import { backendParts, skeleton, type FamilyInfo } from './ruleset.js';
import type { NftChain, NftSet } from './types.js';

/** Sets whose elements several fragments may add (one endpoint in two Services; several ports). */
const SHARED = /^(cluster-ips|hairpin)-/;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Index of `x` in sorted `list`, or -(insertion point) - 1. */
function search(list: string[], x: string): number {
  let lo = 0, hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < x) lo = mid + 1;
    else if (list[mid] > x) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/** Something the incremental path cannot express; the caller rebuilds in full. */
export class AggregateConflict extends Error {}

function bump<K>(m: Map<K, number>, k: K, by: number): void {
  const n = (m.get(k) ?? 0) + by;
  if (n) m.set(k, n);
  else m.delete(k);
}

export class TableState {
  private readonly els = new Map<string, string[]>();
  /** Lists this state may change in place (not yet handed out in a plan). */
  private readonly owned = new Set<string>();
  private readonly counts = new Map<string, Map<string, number>>();
  /** Pool+family (`v4`, `local-v6`) → endpoint count → number of fragments using it. */
  private readonly sizes = new Map<string, Map<number, number>>();
  private readonly groups = new Map<string, number>();
  private readonly groupN = new Map<string, number>();
  private readonly chains = new Map<string, NftChain>();
  private readonly sets = new Map<string, Omit<NftSet, 'elements'>>();
  private bulk = true;

  constructor(private readonly fams: FamilyInfo[]) {
    for (const s of skeleton(fams).sets) for (const e of s.elements) this.list(s.name).push(e);
  }

  private list(set: string): string[] {
    let l = this.els.get(set);
    if (!l) this.els.set(set, (l = []));
    else if (!this.owned.has(set)) this.els.set(set, (l = l.slice()));
    this.owned.add(set);
    return l;
  }

  private insert(set: string, e: string): void {
    if (SHARED.test(set)) {
      let c = this.counts.get(set);
      if (!c) this.counts.set(set, (c = new Map()));
      bump(c, e, 1);
      if (c.get(e) !== 1) return;
    }
    const l = this.list(set);
    if (this.bulk) return void l.push(e);
    const i = search(l, e);
    if (i >= 0) throw new AggregateConflict(`${set}: ${e} twice`);
    l.splice(-i - 1, 0, e);
  }

  private remove(set: string, e: string): void {
    if (SHARED.test(set)) {
      const c = this.counts.get(set) as Map<string, number>;
      bump(c, e, -1);
      if (c.has(e)) return;
    }
    const l = this.list(set);
    const i = search(l, e);
    if (i < 0) throw new AggregateConflict(`${set}: no ${e}`);
    l.splice(i, 1);
  }

  /** Adds (`sign` 1) or takes away (-1) what a fragment contributes. */
  apply(f: Fragment, sign: 1 | -1): void {
    for (const [set, els] of f.elements) {
      for (const e of els) {
        if (sign > 0) this.insert(set, e);
        else this.remove(set, e);
      }
    }
    for (const [pool, n] of f.maxN) {
      let m = this.sizes.get(pool);
      if (!m) this.sizes.set(pool, (m = new Map()));
      bump(m, n, sign);
    }
    for (const [g, n] of f.groups) {
      bump(this.groups, g, sign);
      this.groupN.set(g, n);
    }
    for (const c of f.chains) {
      if (sign > 0) this.chains.set(c.name, c);
      else this.chains.delete(c.name);
    }
    for (const s of f.sets) {
      if (sign > 0) this.sets.set(s.name, s);
      else this.sets.delete(s.name);
    }
  }

  /** Ends the bulk load: sorts every list once (cheaper than keeping them sorted while loading). */
  finishBulk(): void {
    if (!this.bulk) return;
    // The default sort compares UTF-16 code units, as `<` does in search(); natively, so faster.
    for (const [name, l] of this.els) if (this.owned.has(name)) l.sort();
    this.bulk = false;
  }

  /** The table as plan data; lists are shared with the state until it next changes them. */
  snapshot(): { sets: NftSet[]; chains: NftChain[] } {
    this.finishBulk();
    const maxN = new Map<string, number>();
    for (const [pool, m] of this.sizes) maxN.set(pool, Math.max(0, ...m.keys()));
    const groups = new Map([...this.groups.keys()].map((g) => [g, this.groupN.get(g) as number]));
    const base = skeleton(this.fams);
    const shared = backendParts(this.fams, maxN, groups);
    const byName = <T extends { name: string }>(a: T, b: T) => cmp(a.name, b.name);
    const withElements = (s: Omit<NftSet, 'elements'>): NftSet => ({ ...s, elements: this.els.get(s.name) ?? [] });
    this.owned.clear();
    return {
      sets: [...base.sets, ...[...shared.sets, ...this.sets.values()].sort(byName)].map(withElements),
      chains: [...base.chains, ...[...shared.chains, ...this.chains.values()].sort(byName)],
    };
  }
}
