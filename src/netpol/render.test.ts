import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planPolicy, type PolicyPlan } from './plan.js';
import { renderDelete, renderFull, renderUpdate } from './render.js';
import { SCENARIOS, e2eWorld } from './scenarios.js';
import type { PolicyWorld } from './types.js';

/**
 * Applies renderUpdate's statements to a copy of `prev` the way nft's transaction would, refusing
 * what the kernel refuses: creating what exists, deleting what is absent, deleting a non-empty
 * chain, or a chain, set or map something still references.
 */
function simulate(prev: PolicyPlan, script: string): PolicyPlan {
  const s = structuredClone(prev);
  const t = `inet ${s.table}`;
  const refs = (name: string, kind: 'chain' | 'set') => {
    const rules = Object.values(s.chains).flatMap((c) => c.rules);
    if (kind === 'set') return rules.some((r) => new RegExp(`@${name}(\\s|$)`).test(r));
    return rules.some((r) => new RegExp(`(jump|goto) ${name}(\\s|$)`).test(r)) || Object.values(s.maps).some((m) => Object.values(m.elements).includes(`goto ${name}`));
  };
  const list = (body: string) => body.split(', ');
  for (const line of script.split('\n').filter(Boolean)) {
    let m: RegExpExecArray | null;
    const fail = (why: string) => assert.fail(`${why}: ${line}`);
    if ((m = new RegExp(`^add set ${t} (\\S+) \\{ type ([^;]+);( flags interval;)?( comment "([^"]*)";)? \\}$`).exec(line))) {
      if (s.sets[m[1]]) fail('set exists');
      s.sets[m[1]] = { type: m[2], ...(m[3] ? { interval: true } : {}), ...(m[5] !== undefined ? { comment: m[5] } : {}), elements: [] };
    } else if ((m = new RegExp(`^add map ${t} (\\S+) \\{ type ([^;]+); \\}$`).exec(line))) {
      if (s.maps[m[1]]) fail('map exists');
      s.maps[m[1]] = { type: m[2], elements: {} };
    } else if ((m = new RegExp(`^add chain ${t} (\\S+)(?: \\{ (type [^;]+; policy \\w+;)? ?(?:comment "([^"]*)";)? \\})?$`).exec(line))) {
      if (s.chains[m[1]]) fail('chain exists');
      s.chains[m[1]] = { ...(m[2] ? { hook: m[2] } : {}), ...(m[3] !== undefined ? { comment: m[3] } : {}), rules: [] };
    } else if ((m = new RegExp(`^(add|delete) element ${t} (\\S+) \\{ (.+) \\}$`).exec(line))) {
      const [, verb, name, body] = m;
      if (s.maps[name]) {
        for (const e of list(body)) {
          const [k, v] = e.split(' : ');
          if (verb === 'add') {
            if (s.maps[name].elements[k] !== undefined) fail('map key exists');
            if (!s.chains[v.split(' ')[1]]) fail('verdict to a missing chain');
            s.maps[name].elements[k] = v;
          } else {
            if (s.maps[name].elements[k] === undefined) fail('map key absent');
            delete s.maps[name].elements[k];
          }
        }
      } else if (s.sets[name]) {
        const have = new Set(s.sets[name].elements);
        for (const e of list(body)) {
          if (verb === 'add') have.add(e);
          else if (!have.delete(e)) fail('element absent');
        }
        s.sets[name].elements = [...have];
      } else fail('no such set or map');
    } else if ((m = new RegExp(`^flush chain ${t} (\\S+)$`).exec(line))) {
      if (!s.chains[m[1]]) fail('no such chain');
      s.chains[m[1]].rules = [];
    } else if ((m = new RegExp(`^add rule ${t} (\\S+) (.+)$`).exec(line))) {
      if (!s.chains[m[1]]) fail('no such chain');
      for (const ref of m[2].matchAll(/@(\S+)/g)) if (!s.sets[ref[1]] && !s.maps[ref[1]]) fail(`rule uses missing @${ref[1]}`);
      for (const ref of m[2].matchAll(/(?:jump|goto) (\S+)/g)) if (!s.chains[ref[1]]) fail(`rule jumps to missing ${ref[1]}`);
      s.chains[m[1]].rules.push(m[2]);
    } else if ((m = new RegExp(`^delete chain ${t} (\\S+)$`).exec(line))) {
      if (!s.chains[m[1]]) fail('no such chain');
      if (s.chains[m[1]].rules.length) fail('chain not empty');
      delete s.chains[m[1]];
      if (refs(m[1], 'chain')) fail('chain still referenced');
    } else if ((m = new RegExp(`^delete (set|map) ${t} (\\S+)$`).exec(line))) {
      const store = m[1] === 'set' ? s.sets : s.maps;
      if (!store[m[2]]) fail(`no such ${m[1]}`);
      if (refs(m[2], 'set')) fail(`${m[1]} still referenced`);
      delete store[m[2]];
    } else fail('unexpected statement');
  }
  return s;
}

function normalize(p: PolicyPlan): unknown {
  const sorted = <T>(r: Record<string, T>) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
  // `families` is bookkeeping, not kernel state.
  return {
    table: p.table,
    sets: sorted(Object.fromEntries(Object.entries(p.sets).map(([k, v]) => [k, { ...v, elements: [...v.elements].sort() }]))),
    maps: sorted(Object.fromEntries(Object.entries(p.maps).map(([k, v]) => [k, { ...v, elements: sorted(v.elements) }]))),
    chains: sorted(p.chains),
  };
}

const plan = (w: PolicyWorld, node: string) => planPolicy({ ...w, node: { name: node } });

describe('renderUpdate', () => {
  it('is empty when nothing changed', () => {
    const w = e2eWorld(SCENARIOS[0]);
    assert.equal(renderUpdate(plan(w, 'node-1'), plan(w, 'node-1')), '');
  });

  it('takes every scenario to the next one, on both nodes and across families, in a valid order', () => {
    let steps = 0;
    const worlds = [...SCENARIOS.map((s) => e2eWorld(s)), ...SCENARIOS.map((s) => e2eWorld(s, { family: 6 }))];
    for (const node of ['node-1', 'node-2']) {
      for (let i = 1; i < worlds.length; i++) {
        const prev = plan(worlds[i - 1], node);
        const next = plan(worlds[i], node);
        const script = renderUpdate(prev, next);
        if (script.startsWith('add table')) continue; // a family change replaces the table
        assert.deepEqual(normalize(simulate(prev, script)), normalize(next), `step ${i} on ${node}`);
        steps++;
      }
    }
    assert.ok(steps > 200, `${steps} updates checked`);
  });

  it('replaces the whole table when a chain hook or a set type changes (only a podnet upgrade does that)', () => {
    const w = e2eWorld(SCENARIOS[0]);
    const prev = plan(w, 'node-1');
    const next = structuredClone(prev);
    next.chains['forward-ingress'].hook = 'type filter hook forward priority filter + 5; policy accept;';
    assert.equal(renderUpdate(prev, next), renderFull(next));
  });

  it('renderDelete removes the table whether or not it exists', () => {
    assert.equal(renderDelete({ table: 'podnet-policy' }), 'add table inet podnet-policy\ndelete table inet podnet-policy\n');
  });
});
