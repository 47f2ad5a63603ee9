// Object validation after loading: names, labels, annotations, pod specs and workloads. Throws the
// first problem as a ManifestError naming file, object and field, as the API server would reject
// it, so what works in the lab also applies to a real cluster.
import { errorsFor, objectRef, type FieldError } from './errors.js';
import { BUILTIN_NAMESPACES, WORKLOAD_KINDS, isNamespaced } from './kinds.js';
import { checkDNS1035Label, checkDNS1123Label, checkDNS1123Subdomain, checkQualifiedName } from './names.js';
import { validatePodSpec } from './podspec.js';
import { validateNetworkPolicy } from '../netpol/validate.js';
import { matchesSelector, validateLabels, validateSelector } from './selectors.js';
import type { KubeObject, Loaded } from './types.js';
import { isRecord } from './util.js';
// Service rules live with the rest of services/ (admission applies them again after defaulting).
import { validateEndpointSlice, validateService } from '../services/service-spec.js';

/** The API server's limit on the total size of an object's annotations. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

export function validateObjects(objects: Loaded[], existingNamespaces: Set<string>): void {
  const namespaces = new Set([...BUILTIN_NAMESPACES, ...existingNamespaces]);
  for (const { object } of objects) if (object.kind === 'Namespace') namespaces.add(object.metadata.name);
  // One lab, one Cluster document: two would silently disagree about CIDRs and nodes.
  const clusters = objects.filter((o) => o.object.kind === 'Cluster');
  if (clusters.length > 1) {
    const [first, second] = clusters;
    throw errorsFor(second.object, second.source)('kind',
      `only one Cluster document is allowed; ${objectRef(first.object)} is in ${first.source.file} (document ${first.source.doc + 1})`);
  }
  for (const { object, source } of objects) {
    const err = errorsFor(object, source);
    validateMetadata(object, err);
    const ns = object.metadata.namespace;
    if (ns !== undefined && isNamespaced(object.kind) && !namespaces.has(ns)) {
      throw err('metadata.namespace', `namespace ${JSON.stringify(ns)} not found: add a Namespace document or create it first`);
    }
    if (object.kind === 'Pod') validatePodSpec(object.spec, 'spec', err);
    if (WORKLOAD_KINDS.has(object.kind)) validateWorkload(object, err);
    if (object.kind === 'NetworkPolicy') validateNetworkPolicy(object, err);
    if (object.kind === 'Service') validateService(object, err);
    if (object.kind === 'EndpointSlice') validateEndpointSlice(object, err);
  }
}

function validateMetadata(obj: KubeObject, err: FieldError): void {
  const { name, namespace, labels, annotations } = obj.metadata;
  // Namespaces and Services become DNS labels (pod DNS names, `svc.ns.svc.cluster.local`).
  const badName = obj.kind === 'Namespace' ? checkDNS1123Label(name)
    : obj.kind === 'Service' ? checkDNS1035Label(name)
      : checkDNS1123Subdomain(name);
  if (badName) throw err('metadata.name', badName);
  if (namespace !== undefined) {
    const bad = checkDNS1123Label(namespace);
    if (bad) throw err('metadata.namespace', bad);
  }
  validateLabels(labels, 'metadata.labels', err);
  validateAnnotations(annotations, 'metadata.annotations', err);
}

export function validateAnnotations(value: unknown, field: string, err: FieldError): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) throw err(field, 'must be a map of strings');
  let bytes = 0;
  for (const [k, v] of Object.entries(value)) {
    const bad = checkQualifiedName(k);
    if (bad) throw err(field, `invalid key ${bad}`);
    if (typeof v !== 'string') throw err(`${field}.${k}`, `must be a string (quote it: "${String(v)}")`);
    bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (bytes > ANNOTATIONS_MAX_BYTES) throw err(field, `total size ${bytes} bytes exceeds ${ANNOTATIONS_MAX_BYTES}`);
}

function validateWorkload(obj: KubeObject, err: FieldError): void {
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
