// The registry of kinds podnet understands, with each kind's validation and defaulting. api owns the
// mechanism; each component owns its kinds and exports their definitions (services/ its Service and
// EndpointSlice, netpol/ its NetworkPolicy), and one assembly module (src/kinds.ts) puts them into a
// registry that every entry point passes to parseManifests and validateObjects. So api imports no
// component, the registry is a required argument rather than an import side effect that a missing
// import would silently drop, and a kind nobody registered is listed as skipped, never accepted
// unchecked. As the API server's scheme does: types register themselves with a runtime.Scheme.
import type { FieldError } from './errors.js';
import type { KubeObject, Loaded } from './types.js';

export interface KindDefinition {
  /** The one apiVersion podnet accepts for the kind; any other is an error naming both. */
  apiVersion: string;
  /** Older apiVersions serving the same schema (Istio's v1beta1 beside v1), accepted as they are. */
  alsoAccepts?: readonly string[];
  kind: string;
  /** The rule for metadata.name (returns the problem, as the names.ts checks do); default: a DNS-1123 subdomain. */
  checkName?: (name: string) => string | undefined;
  /** Field validation of what the user wrote, before defaults; throws the first problem through `err`. */
  validate?: (object: KubeObject, err: FieldError) => void;
  /**
   * The API server's defaults for the kind (SetDefaults_<Kind>): pure, returns a new object. Only for
   * defaults that depend on the object alone; admission that needs stored objects or allocators
   * (Service ClusterIPs) stays with its component.
   */
  default?: (object: KubeObject) => KubeObject;
}

export class KindRegistry {
  private readonly byKind = new Map<string, KindDefinition>();

  constructor(definitions: Iterable<KindDefinition> = []) {
    for (const definition of definitions) this.register(definition);
  }

  /** Adds a kind; registering one twice is a programming error (two components claiming it). */
  register(definition: KindDefinition): this {
    const earlier = this.byKind.get(definition.kind);
    if (earlier) throw new Error(`kind ${definition.kind} is registered twice (${earlier.apiVersion} and ${definition.apiVersion})`);
    this.byKind.set(definition.kind, definition);
    return this;
  }

  get(kind: string): KindDefinition | undefined {
    return this.byKind.get(kind);
  }

  has(kind: string): boolean {
    return this.byKind.has(kind);
  }

  /** Registered kinds, in registration order. */
  kinds(): string[] {
    return [...this.byKind.keys()];
  }
}

/**
 * Each object with its kind's defaults applied (objects of kinds without defaults are returned as
 * they are). Run after validateObjects, as the API server defaults what it has validated.
 */
export function defaultObjects(objects: readonly Loaded[], kinds: KindRegistry): Loaded[] {
  return objects.map((loaded) => {
    const withDefaults = kinds.get(loaded.object.kind)?.default;
    return withDefaults ? { ...loaded, object: withDefaults(structuredClone(loaded.object)) } : loaded;
  });
}
