// Manifest loading: text in, typed objects out. What kubectl does before it talks to a server:
// split multi-document YAML, flatten `kind: List`, check the identity fields, default the namespace.
// Field-level validation is validate.ts's job; this file only guarantees every object has a kind,
// an apiVersion and a name, and that no two inputs define the same object.
import { parseAllDocuments } from 'yaml';
import { ManifestError, objectRef } from './errors.js';
import { isNamespaced } from './kinds.js';
import type { KindRegistry } from './registry.js';
import type { KubeObject, Loaded, Source } from './types.js';
import { isRecord } from './util.js';

export interface ManifestFile {
  file: string;
  text: string;
}

export interface SkippedObject {
  kind: string;
  name: string;
  source: Source;
}

export interface ParsedManifests {
  objects: Loaded[];
  skipped: SkippedObject[];
}

/** Objects of kinds `kinds` has are loaded; the others are listed as skipped, not rejected. */
export function parseManifests(files: ManifestFile[], kinds: KindRegistry): ParsedManifests {
  const objects: Loaded[] = [];
  const skipped: SkippedObject[] = [];
  const seen = new Map<string, Source>();

  for (const { file, text } of files) {
    parseAllDocuments(text).forEach((doc, index) => {
      const first = doc.errors[0];
      if (first) {
        // The parser's message repeats the position and adds a code excerpt; keep the first line only.
        const problem = first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        throw new ManifestError({ file, line: first.linePos?.[0].line }, `invalid YAML: ${problem}`);
      }
      let value: unknown;
      try {
        value = doc.toJS();
      } catch (e) {
        // e.g. excessive alias expansion (a "billion laughs" document), which yaml refuses.
        throw new ManifestError({ file }, `invalid YAML in document ${index + 1}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (value === null || value === undefined) return; // an empty document, e.g. a trailing `---`
      const source: Source = { file, doc: index };
      for (const obj of flattenList(value, source)) {
        const key = `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
        const info = kinds.get(obj.kind);
        if (!info) {
          skipped.push({ kind: obj.kind, name: obj.metadata.name, source });
          continue;
        }
        if (info.apiVersion !== obj.apiVersion && !(info.alsoAccepts ?? []).includes(obj.apiVersion)) {
          throw new ManifestError({ file, object: objectRef(obj), field: 'apiVersion' },
            `${obj.kind} must be ${info.apiVersion}, not ${obj.apiVersion}`);
        }
        const earlier = seen.get(key);
        if (earlier) {
          throw new ManifestError({ file, object: objectRef(obj) },
            `defined twice: in ${earlier.file} (document ${earlier.doc + 1}) and ${file} (document ${index + 1})`);
        }
        seen.set(key, source);
        objects.push({ object: obj, source });
      }
    });
  }
  return { objects, skipped };
}

/**
 * One document may be a `kind: List` (what `kubectl get -o yaml` prints) or a typed list such as
 * `PodList`; its items are flattened and share the document's source.
 */
function flattenList(value: unknown, source: Source): KubeObject[] {
  if (!isRecord(value) || !isList(value)) return [identify(value, source, undefined)];
  const items = value.items;
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) {
    throw new ManifestError({ file: source.file, object: String(value.kind), field: 'items' }, 'must be a list');
  }
  return items.map((item, i) => identify(item, source, `items[${i}]`));
}

function isList(value: Record<string, unknown>): boolean {
  const kind = value.kind;
  return kind === 'List' || (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value.items));
}

/** Checks apiVersion, kind and metadata.name; defaults metadata.namespace for namespaced kinds. */
function identify(value: unknown, source: Source, path: string | undefined): KubeObject {
  const at = (field: string): string => (path ? `${path}.${field}` : field);
  const fail = (field: string | undefined, problem: string, object?: string): never => {
    throw new ManifestError({ file: source.file, object, field }, problem);
  };
  if (!isRecord(value)) return fail(path, `document ${source.doc + 1} is not a mapping (a Kubernetes object)`);
  const { apiVersion, kind, metadata } = value;
  if (typeof kind !== 'string' || kind === '') return fail(at('kind'), `required (document ${source.doc + 1})`);
  if (typeof apiVersion !== 'string' || apiVersion === '') return fail(at('apiVersion'), `required (document ${source.doc + 1})`, kind);
  if (!isRecord(metadata)) return fail(at('metadata.name'), `required (document ${source.doc + 1})`, kind);
  const { name, namespace } = metadata;
  if (typeof name !== 'string' || name === '') return fail(at('metadata.name'), `required (document ${source.doc + 1})`, kind);
  if (namespace !== undefined && typeof namespace !== 'string') {
    return fail(at('metadata.namespace'), 'must be a string', `${kind} ${name}`);
  }
  const meta = { ...metadata, name } as KubeObject['metadata'];
  if (isNamespaced(kind)) {
    meta.namespace = namespace || 'default';
  } else {
    // Kubernetes ignores a namespace on cluster-scoped objects; drop it so keys and messages agree.
    delete meta.namespace;
  }
  return { ...value, apiVersion, kind, metadata: meta };
}
