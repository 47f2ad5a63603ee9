// Plan → `nft -f` text. A full render replaces the table atomically (`add table` + `delete table` +
// the whole content, in one transaction); an update changes only what differs between two plans,
// ordered so that every reference exists when it is made and is gone before its target is deleted.
import type { NftChain, NftSet, NftTable, ProxyPlan } from './types.js';

/** Elements per `add element` / `delete element` statement: long enough to batch, short enough to read. */
const CHUNK = 1000;

function ref(t: NftTable): string {
  return `${t.family} ${t.name}`;
}

function setHeader(s: Omit<NftSet, 'elements'>): string[] {
  const lines = [`type ${s.type}`];
  if (s.flags?.length) lines.push(`flags ${s.flags.join(',')}`);
  if (s.timeout !== undefined) lines.push(`timeout ${s.timeout}s`);
  return lines;
}

function baseLine(c: NftChain): string | undefined {
  return c.base && `type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority}; policy accept;`;
}

/** The table's content as one `table { }` block, one statement per line (nft 1.0.6 needs the newlines). */
export function renderTableBlock(t: NftTable): string {
  const out = [`table ${ref(t)} {`];
  for (const s of t.sets) {
    out.push(`  ${s.kind} ${s.name} {`, ...setHeader(s).map((l) => `    ${l}`));
    if (s.elements.length) out.push(`    elements = { ${s.elements.join(',\n                 ')} }`);
    out.push('  }');
  }
  for (const c of t.chains) {
    out.push(`  chain ${c.name} {`);
    const base = baseLine(c);
    if (base) out.push(`    ${base}`);
    out.push(...c.rules.map((r) => `    ${r}`), '  }');
  }
  out.push('}');
  return out.join('\n') + '\n';
}

function renderTableFull(t: NftTable): string {
  // `add` first so that `delete` cannot fail on a missing table: the pair empties it either way.
  return `add table ${ref(t)}\ndelete table ${ref(t)}\n${renderTableBlock(t)}`;
}

/** One transaction that makes the node's proxy tables exactly `plan`, whatever was there before. */
export function renderFull(plan: ProxyPlan): string {
  return plan.tables.map(renderTableFull).join('');
}

function chunks(items: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function keyOf(element: string): string {
  const i = element.indexOf(' : ');
  return i < 0 ? element : element.slice(0, i);
}

/**
 * The parts of two element lists between their common prefix and suffix. Elements are sorted and
 * never repeat within a set, so whatever differs lies in there: a changed Service among 10,000
 * costs a scan, not two 100,000-entry hash sets.
 */
function middles(a: string[], b: string[]): [string[], string[]] {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return [a.slice(p, a.length - s), b.slice(p, b.length - s)];
}

const sameDef = (a: NftSet, b: NftSet) => a.kind === b.kind && a.type === b.type && (a.flags ?? []).join() === (b.flags ?? []).join() && a.timeout === b.timeout;
const sameBase = (a: NftChain, b: NftChain) => JSON.stringify(a.base ?? null) === JSON.stringify(b.base ?? null);

/** The statements that turn table `prev` into `next`, or undefined when only a full replace can (a set's type changed). */
function diffTable(prev: NftTable, next: NftTable): string[] | undefined {
  const t = ref(next);
  const prevSets = new Map(prev.sets.map((s) => [s.name, s]));
  const nextSets = new Map(next.sets.map((s) => [s.name, s]));
  const prevChains = new Map(prev.chains.map((c) => [c.name, c]));
  const nextChains = new Map(next.chains.map((c) => [c.name, c]));
  for (const s of next.sets) if (prevSets.has(s.name) && !sameDef(prevSets.get(s.name) as NftSet, s)) return undefined;
  for (const c of next.chains) if (prevChains.has(c.name) && !sameBase(prevChains.get(c.name) as NftChain, c)) return undefined;

  const out: string[] = [];
  const addedSets = next.sets.filter((s) => !prevSets.has(s.name));
  const removedSets = prev.sets.filter((s) => !nextSets.has(s.name));
  const addedChains = next.chains.filter((c) => !prevChains.has(c.name));
  const removedChains = prev.chains.filter((c) => !nextChains.has(c.name));
  const changedChains = next.chains.filter((c) => prevChains.has(c.name) && (prevChains.get(c.name) as NftChain).rules.join('\n') !== c.rules.join('\n'));

  // 1. New sets and chains exist (empty) before anything refers to them.
  for (const s of addedSets) out.push(`add ${s.kind} ${t} ${s.name} { ${setHeader(s).join('; ')}; }`);
  for (const c of addedChains) out.push(c.base ? `add chain ${t} ${c.name} { ${baseLine(c)} }` : `add chain ${t} ${c.name}`);

  // 2. Elements that went away or changed value (a map element cannot be replaced in place).
  const adds: [NftSet, string[]][] = [];
  for (const s of next.sets) {
    const old = prevSets.get(s.name);
    if (!old) {
      if (s.elements.length) adds.push([s, s.elements]);
      continue;
    }
    if (old.elements === s.elements) continue; // shared by the plan cache: unchanged
    const [was, is] = middles(old.elements, s.elements);
    const now = new Set(is);
    const before = new Set(was);
    const gone = was.filter((e) => !now.has(e)).map(keyOf);
    const added = is.filter((e) => !before.has(e));
    for (const part of chunks(gone)) out.push(`delete element ${t} ${s.name} { ${part.join(', ')} }`);
    if (added.length) adds.push([s, added]);
  }

  // 3. Chains whose rules changed, and chains about to be deleted, are emptied; then (re)filled.
  for (const c of [...changedChains, ...removedChains]) out.push(`flush chain ${t} ${c.name}`);
  for (const c of [...addedChains, ...changedChains]) for (const r of c.rules) out.push(`add rule ${t} ${c.name} ${r}`);

  // 4. New elements, whose verdicts may name the chains made above.
  for (const [s, elements] of adds) for (const part of chunks(elements)) out.push(`add element ${t} ${s.name} { ${part.join(', ')} }`);

  // 5. Nothing refers to removed sets and chains any more.
  for (const s of removedSets) out.push(`delete ${s.kind} ${t} ${s.name}`);
  for (const c of removedChains) out.push(`delete chain ${t} ${c.name}`);
  return out;
}

/** A transaction that changes only what differs from `prev` to `next`; '' when nothing does. */
export function renderUpdate(prev: ProxyPlan, next: ProxyPlan): string {
  const out: string[] = [];
  const prevTables = new Map(prev.tables.map((t) => [ref(t), t]));
  const nextRefs = new Set(next.tables.map(ref));
  for (const t of prev.tables) if (!nextRefs.has(ref(t))) out.push(`delete table ${ref(t)}`);
  let text = '';
  for (const t of next.tables) {
    const old = prevTables.get(ref(t));
    const lines = old ? diffTable(old, t) : undefined;
    if (lines) out.push(...lines);
    else text += renderTableFull(t);
  }
  return (out.length ? out.join('\n') + '\n' : '') + text;
}

/** Rule and element counts, for the bench and `podnet status`. */
export function countPlan(plan: ProxyPlan): { chains: number; rules: number; sets: number; elements: number } {
  let chains = 0, rules = 0, sets = 0, elements = 0;
  for (const t of plan.tables) {
    chains += t.chains.length;
    rules += t.chains.reduce((n, c) => n + c.rules.length, 0);
    sets += t.sets.length;
    elements += t.sets.reduce((n, s) => n + s.elements.length, 0);
  }
  return { chains, rules, sets, elements };
}
