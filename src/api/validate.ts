// Object validation after loading: metadata for every object, then each kind's own rules from the
// registry its components filled (src/kinds.ts). Throws the first problem as a ManifestError naming
// file, object and field, as the API server would reject it, so what works in the lab also applies
// to a real cluster.
import { errorsFor, objectRef, type FieldError } from './errors.js';
import { BUILTIN_NAMESPACES, isNamespaced } from './kinds.js';
import { checkDNS1123Label, checkDNS1123Subdomain, checkQualifiedName } from './names.js';
import type { KindDefinition, KindRegistry } from './registry.js';
import { validateLabels } from './selectors.js';
import type { KubeObject, Loaded } from './types.js';
import { isRecord } from './util.js';

/** The API server's limit on the total size of an object's annotations. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

export function validateObjects(objects: Loaded[], existingNamespaces: Set<string>, kinds: KindRegistry): void {
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
    const definition = kinds.get(object.kind);
    validateMetadata(object, definition, err);
    const ns = object.metadata.namespace;
    if (ns !== undefined && isNamespaced(object.kind) && !namespaces.has(ns)) {
      throw err('metadata.namespace', `namespace ${JSON.stringify(ns)} not found: add a Namespace document or create it first`);
    }
    definition?.validate?.(object, err);
  }
}

function validateMetadata(obj: KubeObject, definition: KindDefinition | undefined, err: FieldError): void {
  const { name, namespace, labels, annotations } = obj.metadata;
  // Most names are DNS subdomains; a kind whose names become DNS labels registers its own rule.
  const badName = (definition?.checkName ?? checkDNS1123Subdomain)(name);
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
