// The slice of nft's rule grammar the proxy writes, parsed for the tracer. Anything else is an error,
// so a rule the planner starts writing cannot silently go untested.

export type Field =
  | { kind: 'addr'; family: 4 | 6; dir: 'saddr' | 'daddr' }
  | { kind: 'l4proto' }
  | { kind: 'dport' }
  | { kind: 'mark' }
  | { kind: 'ctstate' }
  | { kind: 'ctstatus' }
  | { kind: 'fibsaddrtype' };

export type Verdict = { kind: 'accept' | 'drop' | 'reject' | 'return' } | { kind: 'jump' | 'goto'; chain: string };

/** A set reference: a named set (`@name`) or the items of an anonymous `{ a, b }`. */
export type SetRef = { named: string } | { items: string[] };

export type Op =
  | { op: 'match'; key: Field[]; neg: boolean; value: string }
  | { op: 'masked'; key: Field[]; mask: number; value: number }
  | { op: 'in'; key: Field[]; set: SetRef }
  | { op: 'vmap'; key: Field[]; map: SetRef }
  | { op: 'numgen'; mod: number; map: SetRef }
  | { op: 'verdict'; verdict: Verdict }
  | { op: 'mark'; how: '|' | '^'; value: number }
  | { op: 'masquerade' }
  | { op: 'dnat'; family: 4 | 6; to: string }
  | { op: 'dnatmap'; family: 4 | 6; key: Field[]; map: string }
  | { op: 'update'; set: string; key: Field[] };

export class RuleSyntaxError extends Error {
  override name = 'RuleSyntaxError';
}

/** Words, with each `{ ... }` kept whole (nesting respected). */
export function tokenize(rule: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < rule.length) {
    if (rule[i] === ' ') {
      i++;
      continue;
    }
    let j = i;
    if (rule[i] === '{') {
      let depth = 0;
      for (; j < rule.length; j++) {
        if (rule[j] === '{') depth++;
        else if (rule[j] === '}' && --depth === 0) break;
      }
      if (depth !== 0) throw new RuleSyntaxError(`unbalanced braces in ${JSON.stringify(rule)}`);
      j++;
    } else {
      while (j < rule.length && rule[j] !== ' ') j++;
    }
    out.push(rule.slice(i, j));
    i = j;
  }
  return out;
}

/** `{ a, b : c }` → ['a', 'b : c']. */
export function braceItems(token: string): string[] {
  return token.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean);
}

function setRef(token: string): SetRef {
  if (token.startsWith('@')) return { named: token.slice(1) };
  if (token.startsWith('{')) return { items: braceItems(token) };
  throw new RuleSyntaxError(`expected a set, got ${JSON.stringify(token)}`);
}

const VERDICTS = new Set(['accept', 'drop', 'reject', 'return']);

export function parseRule(rule: string): Op[] {
  const tk = tokenize(rule);
  let i = 0;
  const next = (): string => {
    if (i >= tk.length) throw new RuleSyntaxError(`unexpected end of ${JSON.stringify(rule)}`);
    return tk[i++];
  };
  const expect = (word: string) => {
    const w = next();
    if (w !== word) throw new RuleSyntaxError(`expected ${word}, got ${JSON.stringify(w)} in ${JSON.stringify(rule)}`);
  };
  const field = (): Field => {
    const a = next();
    if (a === 'ip' || a === 'ip6') {
      const dir = next();
      if (dir !== 'saddr' && dir !== 'daddr') throw new RuleSyntaxError(`unsupported ${a} ${dir}`);
      return { kind: 'addr', family: a === 'ip' ? 4 : 6, dir };
    }
    const b = next();
    if (a === 'meta' && b === 'l4proto') return { kind: 'l4proto' };
    if (a === 'meta' && b === 'mark') return { kind: 'mark' };
    if (a === 'th' && b === 'dport') return { kind: 'dport' };
    if (a === 'ct' && b === 'state') return { kind: 'ctstate' };
    if (a === 'ct' && b === 'status') return { kind: 'ctstatus' };
    if (a === 'fib' && b === 'saddr') {
      expect('type');
      return { kind: 'fibsaddrtype' };
    }
    throw new RuleSyntaxError(`unsupported expression ${a} ${b} in ${JSON.stringify(rule)}`);
  };
  const key = (): Field[] => {
    const parts = [field()];
    while (tk[i] === '.') {
      i++;
      parts.push(field());
    }
    return parts;
  };
  const ops: Op[] = [];
  while (i < tk.length) {
    const w = tk[i];
    if (VERDICTS.has(w)) {
      i++;
      ops.push({ op: 'verdict', verdict: { kind: w as 'accept' } });
    } else if (w === 'jump' || w === 'goto') {
      i++;
      ops.push({ op: 'verdict', verdict: { kind: w, chain: next() } });
    } else if (w === 'masquerade') {
      i++;
      if (tk[i] === 'fully-random') i++;
      ops.push({ op: 'masquerade' });
    } else if (w === 'update') {
      i++;
      const set = next().replace(/^@/, '');
      const inner = next();
      ops.push({ op: 'update', set, key: tokenizeKey(inner.slice(1, -1).trim()) });
    } else if (w === 'dnat') {
      i++;
      const fam = next();
      if (fam !== 'ip' && fam !== 'ip6') throw new RuleSyntaxError(`dnat needs ip or ip6 in ${JSON.stringify(rule)}`);
      expect('to');
      const family = fam === 'ip' ? 4 : 6;
      if (tk[i] === 'ip' || tk[i] === 'ip6') {
        const k = key();
        expect('map');
        ops.push({ op: 'dnatmap', family, key: k, map: next().replace(/^@/, '') });
      } else {
        ops.push({ op: 'dnat', family, to: next() });
      }
    } else if (w === 'numgen') {
      i++;
      expect('random');
      expect('mod');
      const mod = Number(next());
      expect('vmap');
      ops.push({ op: 'numgen', mod, map: setRef(next()) });
    } else {
      const k = key();
      const t = next();
      if (t === 'vmap') ops.push({ op: 'vmap', key: k, map: setRef(next()) });
      else if (t === 'set') {
        // meta mark set meta mark | 0x4000
        const f = key();
        const how = next();
        if (k[0].kind !== 'mark' || f[0].kind !== 'mark' || (how !== '|' && how !== '^')) throw new RuleSyntaxError(`unsupported set in ${JSON.stringify(rule)}`);
        ops.push({ op: 'mark', how, value: Number(next()) });
      } else if (t === '&') {
        const mask = Number(next());
        expect('==');
        ops.push({ op: 'masked', key: k, mask, value: Number(next()) });
      } else if (t === '!=' || t === '==') ops.push({ op: 'match', key: k, neg: t === '!=', value: next() });
      else if (t.startsWith('@') || t.startsWith('{')) ops.push({ op: 'in', key: k, set: setRef(t) });
      else ops.push({ op: 'match', key: k, neg: false, value: t });
    }
  }
  return ops;
}

function tokenizeKey(text: string): Field[] {
  const ops = parseRule(`${text} vmap @_`);
  const op = ops[0];
  if (op?.op !== 'vmap') throw new RuleSyntaxError(`bad key ${JSON.stringify(text)}`);
  return op.key;
}
