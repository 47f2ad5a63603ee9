// Validation of the apps/v1 workloads (Deployment, ReplicaSet, StatefulSet, DaemonSet) as the API
// server does it for the fields podnet reads: replicas, the selector and the pod template.
import type { FieldError } from './errors.js';
import { checkDNS1035Label } from './names.js';
import { validatePodSpec } from './podspec.js';
import { matchesSelector, validateLabels, validateSelector } from './selectors.js';
import type { KubeObject } from './types.js';
import { isRecord } from './util.js';
import { validateAnnotations } from './validate.js';

export function validateWorkload(obj: KubeObject, err: FieldError): void {
  const spec = obj.spec;
  if (!isRecord(spec)) throw err('spec', 'required');
  if (obj.kind !== 'DaemonSet' && spec.replicas !== undefined) {
    const r = spec.replicas;
    if (!Number.isInteger(r) || (r as number) < 0) throw err('spec.replicas', `must be a non-negative integer, not ${JSON.stringify(r)}`);
  }
  if (obj.kind === 'StatefulSet' && spec.serviceName !== undefined) {
    const bad = typeof spec.serviceName === 'string' ? checkDNS1035Label(spec.serviceName) : 'must be a string';
    if (bad) throw err('spec.serviceName', bad);
  }
  // apps/v1 made the selector required (extensions/v1beta1 defaulted it from the template labels).
  if (spec.selector === undefined || spec.selector === null) throw err('spec.selector', 'required');
  const selector = validateSelector(spec.selector, 'spec.selector', err);
  if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
    throw err('spec.selector', 'empty selector is invalid for a workload (it would select every pod)');
  }
  const template = spec.template;
  if (!isRecord(template)) throw err('spec.template', 'required');
  const meta = isRecord(template.metadata) ? template.metadata : {};
  validateLabels(meta.labels, 'spec.template.metadata.labels', err);
  validateAnnotations(meta.annotations, 'spec.template.metadata.annotations', err);
  if (!matchesSelector(selector, meta.labels as Record<string, string> | undefined)) {
    throw err('spec.template.metadata.labels', 'selector does not match template labels');
  }
  validatePodSpec(template.spec, 'spec.template.spec', err, { restartAlwaysOnly: true });
}
