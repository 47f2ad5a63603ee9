// PolicyPlan → `nft -f` text. renderFull replaces the whole table in one transaction (add + delete +
// define: no window without rules); renderUpdate(prev, next) is the incremental transaction that
// changes only what changed: set and map elements, and rewritten chains. Its statements are ordered
// so that nothing is deleted while still referenced, all inside one atomic transaction.
import { sortElements } from './addresses.js';
import type { PlanChain, PlanMap, PlanSet, PolicyPlan } from './plan-types.js';

const q = (s: string) => `"${s.replace(/"/g, "'")}"`;

function setBody(s: PlanSet | PlanMap, indent: string, elements: string[]): string[] {
  const out = [`${indent}type ${s.type}`];
  if ('interval' in s && s.interval) out.push(`${indent}flags interval`);
  if ('comment' in s && s.comment) out.push(`${indent}comment ${q(s.comment)}`);
  if (elements.length) out.push(`${indent}elements = { ${elements.join(`,\n${indent}             `)} }`);
  return out;
}

function mapElements(m: PlanMap): string[] {
  return sortElements(Object.keys(m.elements)).map((k) => `${k} : ${m.elements[k]}`);
}

function chainBody(c: PlanChain, indent: string): string[] {
  const out: string[] = [];
  if (c.hook) out.push(`${indent}${c.hook}`);
  if (c.comment) out.push(`${indent}comment ${q(c.comment)}`);
  // nft 1.0.6 wants each rule on its own line (or `;`-terminated) before the closing brace.
  for (const r of c.rules) out.push(`${indent}${r}`);
  return out;
}

export function renderFull(plan: PolicyPlan): string {
  const t = `inet ${plan.table}`;
  const out = [`add table ${t}`, `delete table ${t}`, `table ${t} {`];
  for (const [name, s] of Object.entries(plan.sets)) out.push(`  set ${name} {`, ...setBody(s, '    ', s.elements), '  }');
  for (const [name, m] of Object.entries(plan.maps)) out.push(`  map ${name} {`, ...setBody(m, '    ', mapElements(m)), '  }');
  for (const [name, c] of Object.entries(plan.chains)) out.push(`  chain ${name} {`, ...chainBody(c, '    '), '  }');
  out.push('}');
  return out.join('\n') + '\n';
}

/** Removing the whole table (the node leaves, or policy enforcement is turned off). */
export function renderDelete(plan: Pick<PolicyPlan, 'table'>): string {
  return `add table inet ${plan.table}\ndelete table inet ${plan.table}\n`;
}

const sameChain = (a: PlanChain, b: PlanChain) => a.rules.length === b.rules.length && a.rules.every((r, i) => r === b.rules[i]);

function elementDiff(prev: string[], next: string[]): { added: string[]; removed: string[] } {
  const p = new Set(prev);
  const n = new Set(next);
  return { added: next.filter((e) => !p.has(e)), removed: prev.filter((e) => !n.has(e)) };
}

/**
 * Chain hooks, chain comments and set or map types are functions of their names, so they change
 * only when podnet itself changes; then the whole table is replaced (still one transaction).
 */
function shapeChanged(prev: PolicyPlan, next: PolicyPlan): boolean {
  for (const [name, c] of Object.entries(next.chains)) {
    const old = prev.chains[name];
    if (old && (old.hook !== c.hook || old.comment !== c.comment)) return true;
  }
  for (const [name, s] of Object.entries(next.sets)) {
    const old = prev.sets[name];
    if (old && (old.type !== s.type || Boolean(old.interval) !== Boolean(s.interval) || old.comment !== s.comment)) return true;
  }
  return Object.entries(next.maps).some(([name, m]) => prev.maps[name] && prev.maps[name].type !== m.type);
}

/** One transaction taking the kernel from `prev` to `next`; '' when nothing changed. */
export function renderUpdate(prev: PolicyPlan, next: PolicyPlan): string {
  if (prev.table !== next.table || shapeChanged(prev, next)) return renderFull(next);
  const t = `inet ${next.table}`;
  // Phases, in transaction order: nothing is used before it exists or deleted while referenced.
  const declare: string[] = [];
  const addElems: string[] = [];
  const flush: string[] = [];
  const unmap: string[] = [];
  const rules: string[] = [];
  const remap: string[] = [];
  const delElems: string[] = [];
  const drop: string[] = [];
  const elems = (verb: string, name: string, list: string[]) => `${verb} element ${t} ${name} { ${list.join(', ')} }`;

  for (const [name, s] of Object.entries(next.sets)) {
    const old = prev.sets[name];
    if (!old) declare.push(`add set ${t} ${name} { ${setBody(s, '', []).join('; ')}; }`);
    const d = elementDiff(old?.elements ?? [], s.elements);
    if (d.added.length) addElems.push(elems('add', name, d.added));
    if (d.removed.length) delElems.push(elems('delete', name, d.removed));
  }
  for (const [name, m] of Object.entries(next.maps)) {
    const old = prev.maps[name]?.elements ?? {};
    if (!prev.maps[name]) declare.push(`add map ${t} ${name} { type ${m.type}; }`);
    const changed = Object.keys(m.elements).filter((k) => old[k] !== m.elements[k]);
    const gone = Object.keys(old).filter((k) => old[k] !== m.elements[k]);
    if (gone.length) unmap.push(elems('delete', name, sortElements(gone)));
    if (changed.length) remap.push(elems('add', name, sortElements(changed).map((k) => `${k} : ${m.elements[k]}`)));
  }
  for (const [name, c] of Object.entries(next.chains)) {
    const old = prev.chains[name];
    if (old && sameChain(old, c)) continue;
    if (old) flush.push(`flush chain ${t} ${name}`);
    else {
      const head = [c.hook, c.comment ? `comment ${q(c.comment)};` : undefined].filter(Boolean).join(' ');
      declare.push(`add chain ${t} ${name}${head ? ` { ${head} }` : ''}`);
    }
    for (const r of c.rules) rules.push(`add rule ${t} ${name} ${r}`);
  }
  // A map that goes away (its family did) still points at chains: delete it before them.
  for (const name of Object.keys(prev.maps)) if (!next.maps[name]) drop.push(`delete map ${t} ${name}`);
  for (const name of Object.keys(prev.chains)) {
    if (next.chains[name]) continue;
    flush.push(`flush chain ${t} ${name}`);
    drop.push(`delete chain ${t} ${name}`);
  }
  for (const name of Object.keys(prev.sets)) if (!next.sets[name]) drop.push(`delete set ${t} ${name}`);
  const out = [...declare, ...addElems, ...flush, ...unmap, ...rules, ...remap, ...delElems, ...drop];
  return out.length ? out.join('\n') + '\n' : '';
}
