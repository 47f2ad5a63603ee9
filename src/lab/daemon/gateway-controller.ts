// The lab's gateway controller, as Envoy Gateway's runs in a cluster: it watches the Gateway API
// and Ingress objects (and the Services, EndpointSlices and Secrets they reference), compiles them
// into one route table per served Gateway and one for all served Ingresses (src/gateway, pure),
// writes each table to the file its proxies read (they reload on change and swap the table in
// one assignment), runs a proxy Deployment behind a LoadBalancer Service per table, and writes
// status back: Gateway addresses and conditions, listener attachedRoutes, HTTPRoute parents,
// Ingress status.loadBalancer.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { KubeObject, Loaded } from '../../api/types.js';
import type { ObjectStore } from '../../store/store.js';
import { canonicalJSON } from '../../api/util.js';
import { compileGateways, compileIngresses, CONTROLLER_NAME, type Gateway, type GatewayClass, type GatewayObjects, type GatewayStatus, type HTTPRoute,
  type ReferenceGrant, type V1EndpointSlice, type V1Ingress, type V1IngressClass, type V1Namespace, type V1Secret, type V1Service } from '../../gateway/index.js';
import { gatewayObjects, gatewayWorkload, SERVES_ANNOTATION, type GatewayWorkload } from '../../gateway/deploy.js';
import { stampConditions, stampGatewayStatus, stampRouteParents, withProxyReadiness } from '../../gateway/status-write.js';
import type { RouteTable } from '../../l7/route-table.js';
import { StoreController, stderrLog, type Log } from './store-controller.js';

const WATCHED = new Set(['GatewayClass', 'Gateway', 'HTTPRoute', 'ReferenceGrant', 'Ingress', 'IngressClass', 'Secret', 'Service', 'EndpointSlice', 'Namespace']);
const SOURCE = { file: '<gateway controller>', doc: 0 };

export interface GatewayControllerDeps {
  /** Where the route table files go (under the lab's state directory). */
  tableDir: string;
  /** The lab's apply and delete (queued behind user changes; never awaited inside a pass). */
  apply: (objects: Loaded[]) => Promise<unknown>;
  delete: (objects: Loaded[]) => Promise<unknown>;
  now?: () => string;
}

export class GatewayController extends StoreController {
  private busy: Promise<unknown> | undefined;
  /** Tables served, by `ns/name` or `ingress`, for `podnet status` and tests. */
  readonly served = new Map<string, GatewayWorkload>();

  constructor(store: ObjectStore, private readonly deps: GatewayControllerDeps, log: Log = stderrLog) {
    super(store, WATCHED, log, 'gateway controller', 20);
  }

  protected async pass(): Promise<void> {
    const list = <T>(kind: string): T[] => this.store.list(kind) as unknown as T[];
    const services = list<V1Service>('Service');
    const objects: GatewayObjects = {
      namespaces: list<V1Namespace>('Namespace'), gatewayClasses: list<GatewayClass>('GatewayClass'), gateways: list<Gateway>('Gateway'),
      httpRoutes: list<HTTPRoute>('HTTPRoute'), referenceGrants: list<ReferenceGrant>('ReferenceGrant'), services,
      endpointSlices: list<V1EndpointSlice>('EndpointSlice'), secrets: list<V1Secret>('Secret'),
    };
    const addressOf = (w: GatewayWorkload): string[] => {
      const svc = services.find((s) => s.metadata?.namespace === w.namespace && s.metadata?.name === w.name);
      return (svc?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').filter(Boolean);
    };
    const addresses = Object.fromEntries(objects.gateways.map((g) => {
      const key = `${g.metadata.namespace ?? 'default'}/${g.metadata.name}`;
      return [key, addressOf(gatewayWorkload(key, this.deps.tableDir))];
    }));
    const gw = compileGateways(objects, { addresses });
    const proxyReady = (w: GatewayWorkload): boolean => objects.endpointSlices.some((s) => s.metadata?.namespace === w.namespace
      && s.metadata?.labels?.['kubernetes.io/service-name'] === w.name && (s.endpoints ?? []).some((e) => e.conditions?.ready === true));
    for (const [key, st] of Object.entries(gw.status.gateways)) gw.status.gateways[key] = withProxyReadiness(st, proxyReady(gatewayWorkload(key, this.deps.tableDir)));
    const ingressWorkload = gatewayWorkload('ingress', this.deps.tableDir);
    const ing = compileIngresses({
      ingresses: list<V1Ingress>('Ingress'), ingressClasses: list<V1IngressClass>('IngressClass'), services, endpointSlices: objects.endpointSlices, secrets: objects.secrets,
    }, { address: addressOf(ingressWorkload)[0] });

    const tables = new Map<string, RouteTable>(Object.entries(gw.tables));
    if (Object.keys(ing.status).length > 0) tables.set('ingress', ing.table);
    this.writeTables(tables);
    this.reconcileWorkloads(tables);
    this.writeStatus(gw.status, ing.status);
  }

  /** Each table to its file, only when it changed (a write makes every proxy reading it reload). */
  private writeTables(tables: Map<string, RouteTable>): void {
    mkdirSync(this.deps.tableDir, { recursive: true });
    for (const [key, table] of tables) {
      const w = gatewayWorkload(key, this.deps.tableDir);
      const text = JSON.stringify(table) + '\n';
      let old: string | undefined;
      try {
        old = readFileSync(w.tableFile, 'utf8');
      } catch {
        old = undefined;
      }
      // Written in place, not renamed over: the proxy watches the file itself (see proxy-main.ts).
      if (old !== text) writeFileSync(w.tableFile, text);
      this.served.set(key, w);
    }
  }

  /**
   * The proxy Deployments and Services that should exist, made to. The lab's apply is queued behind
   * whatever user change is running (which may be what triggered this pass), so it is not awaited
   * here; one runs at a time, and a pass follows each to pick up what changed meanwhile.
   */
  private reconcileWorkloads(tables: Map<string, RouteTable>): void {
    if (this.busy) return;
    const want: Loaded[] = [];
    for (const [key, table] of tables) {
      for (const o of gatewayObjects(gatewayWorkload(key, this.deps.tableDir), table)) {
        const stored = this.store.get(o.kind, o.metadata.namespace, o.metadata.name);
        if (!stored || canonicalJSON(stored.spec) !== canonicalJSON(o.spec) && !sameService(stored, o)) want.push({ object: o, source: SOURCE });
      }
    }
    const gone: Loaded[] = [];
    for (const kind of ['Deployment', 'Service']) {
      for (const o of this.store.list(kind)) {
        const serves = o.metadata.annotations?.[SERVES_ANNOTATION];
        if (serves !== undefined && !tables.has(serves)) gone.push({ object: o, source: SOURCE });
      }
    }
    for (const [key, w] of this.served) {
      if (tables.has(key)) continue;
      this.served.delete(key);
      rmSync(w.tableFile, { force: true });
    }
    if (want.length === 0 && gone.length === 0) return;
    const run = async () => {
      if (gone.length) await this.deps.delete(gone);
      if (want.length) await this.deps.apply(want);
    };
    this.busy = run()
      .catch((err: Error) => this.log(`gateway controller: ${err.message}`))
      .finally(() => {
        this.busy = undefined;
        this.work.schedule();
      });
  }

  private writeStatus(gw: ReturnType<typeof compileGateways>['status'], ingresses: Record<string, unknown>): void {
    const now = this.deps.now?.() ?? new Date().toISOString();
    const update = (kind: string, key: string, next: (prev: Record<string, unknown> | undefined) => unknown) => {
      const [ns, name] = key.includes('/') ? key.split('/') : [undefined, key];
      const obj = this.store.get(kind, ns, name);
      if (obj) this.store.updateStatus(kind, ns, name, next(obj.status as Record<string, unknown> | undefined));
    };
    for (const [key, s] of Object.entries(gw.gatewayClasses)) {
      update('GatewayClass', key, (prev) => ({ ...prev, conditions: stampConditions(s.conditions, (prev as GatewayClass['status'])?.conditions, now) }));
    }
    for (const [key, s] of Object.entries(gw.gateways)) update('Gateway', key, (prev) => stampGatewayStatus(s, prev as GatewayStatus | undefined, now));
    for (const [key, s] of Object.entries(gw.httpRoutes)) {
      update('HTTPRoute', key, (prev) => ({ parents: stampRouteParents(s.parents, (prev as HTTPRoute['status'])?.parents, CONTROLLER_NAME, now) }));
    }
    for (const [key, s] of Object.entries(ingresses)) update('Ingress', key, () => s);
  }
}

/** A stored Service differs from ours by what admission added (clusterIP, nodePorts, defaults): compare what we set. */
function sameService(stored: KubeObject, ours: KubeObject): boolean {
  if (ours.kind !== 'Service') return false;
  const a = stored.spec as { type?: string; selector?: unknown; ports?: { port: number; targetPort?: unknown }[] };
  const b = ours.spec as typeof a;
  return a.type === b.type && canonicalJSON(a.selector) === canonicalJSON(b.selector)
    && canonicalJSON(a.ports?.map((p) => [p.port, p.targetPort])) === canonicalJSON(b.ports?.map((p) => [p.port, p.targetPort]));
}
