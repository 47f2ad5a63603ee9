// The one error type for everything a user wrote wrong: manifests, Cluster documents and flags.
// Like kubectl's field errors, it names where the problem is (file, object, field) so the user can
// go straight to the line; the CLI prints `.message` only, never a stack.
import type { KubeObject, Source } from './types.js';

export interface ManifestErrorWhere {
  /** The input file (or `<flags>` for command-line values). */
  file?: string;
  /** 1-based line, when the YAML parser knows it. */
  line?: number;
  /** `KIND NS/NAME` (or `KIND NAME` when cluster-scoped), as produced by `objectRef`. */
  object?: string;
  /** Dotted path into the object, e.g. `spec.template.spec.containers[0].name`. */
  field?: string;
}

/** A user-facing validation error. `message` is one line: `FILE: KIND NS/NAME: FIELD: PROBLEM`. */
export class ManifestError extends Error {
  /** Stable code for the one place that maps errors to exit codes / output. */
  readonly code = 'EMANIFEST';
  readonly file?: string;
  readonly line?: number;
  readonly object?: string;
  readonly field?: string;
  /** The problem alone, without the location prefix. */
  readonly problem: string;

  constructor(where: ManifestErrorWhere, problem: string) {
    super(formatManifestError(where, problem));
    this.name = 'ManifestError';
    this.file = where.file;
    this.line = where.line;
    this.object = where.object;
    this.field = where.field;
    this.problem = problem;
  }
}

function formatManifestError(where: ManifestErrorWhere, problem: string): string {
  const parts: string[] = [];
  if (where.file !== undefined) parts.push(where.line !== undefined ? `${where.file}:${where.line}` : where.file);
  if (where.object !== undefined) parts.push(where.object);
  if (where.field !== undefined) parts.push(where.field);
  // One line, always: YAML parser messages and nested values can carry newlines.
  parts.push(problem.replace(/\s*\n\s*/g, ' ').trim());
  return parts.join(': ');
}

/** `Deployment team-a/web`, or `Namespace team-a` for objects without a namespace. */
export function objectRef(obj: Pick<KubeObject, 'kind' | 'metadata'>): string {
  const ns = obj.metadata.namespace;
  return ns ? `${obj.kind} ${ns}/${obj.metadata.name}` : `${obj.kind} ${obj.metadata.name}`;
}

/** A factory bound to one object, so validators only say which field and what is wrong. */
export type FieldError = (field: string, problem: string) => ManifestError;

export function errorsFor(obj: Pick<KubeObject, 'kind' | 'metadata'>, source?: Source): FieldError {
  const object = objectRef(obj);
  return (field, problem) => new ManifestError({ file: source?.file, object, field }, problem);
}
