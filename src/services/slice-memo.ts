// A cache the EndpointSlice controller may keep between passes. The lab recomputes every slice on
// every pod status change; with thousands of Services nearly all of them are unchanged, and
// rebuilding and comparing their slices was the whole cost of the pass. Objects from the store
// carry a resourceVersion that changes whenever they do, so `ns/name@resourceVersion` stands for
// an object's content: equal keys, equal inputs, equal slices. A cache only: results with and
// without it are the same, and objects without a resourceVersion are never cached.
import type { V1EndpointSlice } from '../api/types.js';
import type { EndpointSliceObject } from './labels.js';

interface Versioned {
  metadata?: { namespace?: string; name?: string; resourceVersion?: string };
}

/** `ns/name@rv` of each object, or undefined when one has no resourceVersion. */
export function versionKey(objects: readonly Versioned[]): string | undefined {
  let key = '';
  for (const o of objects) {
    const rv = o.metadata?.resourceVersion;
    if (!rv) return undefined;
    key += `${o.metadata?.namespace || 'default'}/${o.metadata?.name ?? ''}@${rv};`;
  }
  return key;
}

/**
 * Pass the same SliceMemo to computeEndpointSlices and reconcileSlices on every pass. Slices it
 * hands back are shared between passes: treat them as read-only (the store copies what it is given).
 */
export class SliceMemo {
  private context = '';
  private services = new Map<string, { inputs: string; slices: EndpointSliceObject[] }>();
  private nextServices = new Map<string, { inputs: string; slices: EndpointSliceObject[] }>();
  /** Per slice `ns/name`: the stored version last found to hold exactly `desired`. */
  private equal = new Map<string, { rv: string; desired: EndpointSliceObject }>();

  /** Starts a compute pass; `context` is what every Service's slices depend on (zones, slice size). */
  begin(context: string): void {
    if (context !== this.context) this.services.clear();
    this.context = context;
    this.nextServices = new Map();
  }

  /** The slices computed last pass from the same inputs, if any. */
  slicesFor(service: string, inputs: string | undefined): EndpointSliceObject[] | undefined {
    const hit = inputs !== undefined ? this.services.get(service) : undefined;
    if (!hit || hit.inputs !== inputs) return undefined;
    this.nextServices.set(service, hit);
    return hit.slices;
  }

  remember(service: string, inputs: string | undefined, slices: EndpointSliceObject[]): void {
    if (inputs !== undefined) this.nextServices.set(service, { inputs, slices });
  }

  /** Ends a compute pass: Services not seen in it are forgotten. */
  end(): void {
    this.services = this.nextServices;
  }

  /** True when `current` was found equal to this very `desired` object before and has not changed since. */
  knownEqual(key: string, current: V1EndpointSlice, desired: EndpointSliceObject): boolean {
    const hit = this.equal.get(key);
    return hit !== undefined && hit.desired === desired && hit.rv === current.metadata?.resourceVersion;
  }

  markEqual(key: string, current: V1EndpointSlice, desired: EndpointSliceObject): void {
    const rv = current.metadata?.resourceVersion;
    if (rv) this.equal.set(key, { rv, desired });
  }

  /** Forgets slices no longer desired. */
  keepOnly(keys: ReadonlySet<string>): void {
    for (const k of this.equal.keys()) if (!keys.has(k)) this.equal.delete(k);
  }
}
