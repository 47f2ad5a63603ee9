// `kubectl get` columns for the gateway's kinds, as kubectl prints them: Ingress and IngressClass
// from its built-in printers (pkg/printers/internalversion: printIngress, printIngressClass), the
// Gateway API kinds from their CRDs' additionalPrinterColumns (config/crd/standard).
import type { KubeObject } from '../api/types.js';
import type { Gateway, GatewayClass, HTTPRoute, V1Ingress, V1IngressClass } from '../gateway/types.js';
import { findCondition } from '../gateway/conditions.js';
import { age, table, type TableOptions } from './format.js';

type Opts = Pick<TableOptions, 'allNamespaces' | 'now'>;

function render(items: KubeObject[], head: string[], row: (o: KubeObject) => string[], opts: Opts, namespaced = true): string {
  if (items.length === 0) return 'No resources found.\n';
  const ns = namespaced && opts.allNamespaces;
  return table([[...(ns ? ['NAMESPACE'] : []), ...head], ...items.map((o) => [...(ns ? [o.metadata.namespace ?? ''] : []), ...row(o)])]);
}

/** NAME CLASS HOSTS ADDRESS PORTS AGE; PORTS is `80, 443` when the Ingress has TLS. */
export function ingressTable(items: KubeObject[], opts: Opts): string {
  return render(items, ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'], (o) => {
    const ing = o as unknown as V1Ingress;
    const hosts = (ing.spec?.rules ?? []).map((r) => r.host ?? '').filter(Boolean);
    const addr = (ing.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean);
    return [
      o.metadata.name, ing.spec?.ingressClassName ?? '<none>', hosts.length ? hosts.join(',') : '*', addr.join(','),
      (ing.spec?.tls ?? []).length ? '80, 443' : '80', age(o.metadata.creationTimestamp, opts.now),
    ];
  }, opts);
}

export function ingressClassTable(items: KubeObject[], opts: Opts): string {
  return render(items, ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'], (o) => {
    const c = o as unknown as V1IngressClass;
    const p = c.spec?.parameters;
    return [o.metadata.name, c.spec?.controller ?? '', p ? `${p.kind}/${p.name}` : '<none>', age(o.metadata.creationTimestamp, opts.now)];
  }, opts, false);
}

const conditionStatus = (conditions: Parameters<typeof findCondition>[0], type: string): string => findCondition(conditions, type)?.status ?? 'Unknown';

export function gatewayClassTable(items: KubeObject[], opts: Opts): string {
  return render(items, ['NAME', 'CONTROLLER', 'ACCEPTED', 'AGE'], (o) => {
    const c = o as unknown as GatewayClass;
    return [o.metadata.name, c.spec?.controllerName ?? '', conditionStatus(c.status?.conditions, 'Accepted'), age(o.metadata.creationTimestamp, opts.now)];
  }, opts, false);
}

export function gatewayTable(items: KubeObject[], opts: Opts): string {
  return render(items, ['NAME', 'CLASS', 'ADDRESS', 'PROGRAMMED', 'AGE'], (o) => {
    const g = o as unknown as Gateway;
    return [
      o.metadata.name, g.spec?.gatewayClassName ?? '', g.status?.addresses?.[0]?.value ?? '',
      conditionStatus(g.status?.conditions, 'Programmed'), age(o.metadata.creationTimestamp, opts.now),
    ];
  }, opts);
}

export function httpRouteTable(items: KubeObject[], opts: Opts): string {
  return render(items, ['NAME', 'HOSTNAMES', 'AGE'], (o) => {
    const r = o as unknown as HTTPRoute;
    return [o.metadata.name, r.spec?.hostnames?.length ? JSON.stringify(r.spec.hostnames) : '', age(o.metadata.creationTimestamp, opts.now)];
  }, opts);
}
