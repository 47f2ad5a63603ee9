// Label selectors (metav1.LabelSelector): validation and matching. Matching follows
// apimachinery's LabelSelectorAsSelector: matchLabels and matchExpressions are ANDed, and an empty
// selector matches everything.
import type { V1LabelSelector } from '@kubernetes/client-node';
import type { FieldError } from './errors.js';
import { checkLabelValue, checkQualifiedName } from './names.js';
import { isRecord } from './util.js';

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

export function matchesSelector(selector: V1LabelSelector, labels: Record<string, string> | undefined): boolean {
  const have = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (have[k] !== v) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(have, req.key);
    const inValues = present && (req.values ?? []).includes(have[req.key]);
    switch (req.operator) {
      case 'In': if (!inValues) return false; break;
      case 'NotIn': if (inValues) return false; break;
      case 'Exists': if (!present) return false; break;
      case 'DoesNotExist': if (present) return false; break;
      default: return false;
    }
  }
  return true;
}

/** Checks a string→string map of labels (also used for nodeSelector and matchLabels). */
export function validateLabels(value: unknown, field: string, err: FieldError): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) throw err(field, 'must be a map of strings');
  for (const [k, v] of Object.entries(value)) {
    const badKey = checkQualifiedName(k);
    if (badKey) throw err(field, `invalid key ${badKey}`);
    if (typeof v !== 'string') throw err(`${field}.${k}`, `must be a string (quote numbers and booleans: "${String(v)}")`);
    const badValue = checkLabelValue(v);
    if (badValue) throw err(`${field}.${k}`, `invalid value ${badValue}`);
  }
}

export function validateSelector(value: unknown, field: string, err: FieldError): V1LabelSelector {
  if (!isRecord(value)) throw err(field, 'must be a label selector (matchLabels and/or matchExpressions)');
  validateLabels(value.matchLabels, `${field}.matchLabels`, err);
  const exprs = value.matchExpressions;
  if (exprs !== undefined && exprs !== null) {
    if (!Array.isArray(exprs)) throw err(`${field}.matchExpressions`, 'must be a list');
    exprs.forEach((req: unknown, i) => {
      const at = `${field}.matchExpressions[${i}]`;
      if (!isRecord(req)) throw err(at, 'must be a mapping with key, operator and values');
      if (typeof req.key !== 'string') throw err(`${at}.key`, 'required');
      const badKey = checkQualifiedName(req.key);
      if (badKey) throw err(`${at}.key`, badKey);
      if (!OPERATORS.includes(req.operator as (typeof OPERATORS)[number])) {
        throw err(`${at}.operator`, `unsupported value ${JSON.stringify(req.operator)}: must be one of ${OPERATORS.join(', ')}`);
      }
      const values = req.values ?? [];
      if (!Array.isArray(values)) throw err(`${at}.values`, 'must be a list of strings');
      if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) {
        throw err(`${at}.values`, `must be specified when operator is ${String(req.operator)}`);
      }
      if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && values.length > 0) {
        throw err(`${at}.values`, `may not be specified when operator is ${String(req.operator)}`);
      }
      values.forEach((v: unknown, j) => {
        if (typeof v !== 'string') throw err(`${at}.values[${j}]`, 'must be a string');
        const bad = checkLabelValue(v);
        if (bad) throw err(`${at}.values[${j}]`, bad);
      });
    });
  }
  return value as V1LabelSelector;
}
