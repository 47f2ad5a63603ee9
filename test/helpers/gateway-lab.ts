// Manifests and checks for the gateway lab test: the Gateway API conformance base (namespaces,
// echo-basic backends, Gateways) as ordinary YAML for `podnet up`, the judge of a case's status
// checks against the stored objects, and the judge of one answer against a case's expectation
// (as src/gateway/conformance-wire.test.ts judges them, with backends identified by pod name,
// as the suite does).
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { KubeObject } from '../../src/api/types.js';
import type { Json } from '../../src/gateway/conformance-kit.test-util.js';
import { REPO } from './lab.js';

export const ECHO_IMAGE = 'gcr.io/k8s-staging-gateway-api/echo-basic:v20240412-v1.0.0-394-g40c666fd';
const TESTDATA = `${REPO}/src/gateway/testdata`;

export function echoDeployment(ns: string, name: string, replicas: number, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: {
      replicas, selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{
            name: 'echo', image: ECHO_IMAGE, ports: [{ containerPort: 3000 }],
            env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
            readinessProbe: { httpGet: { path: '/health', port: 3000 }, periodSeconds: 1 },
          }],
        },
      },
    },
  };
}

/** The conformance base, a client pod to send requests from, as one multi-document YAML text. */
export function baseManifests(base: Json): string {
  const objs: KubeObject[] = [];
  for (const n of base.namespaces) objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n.name, labels: n.labels } });
  for (const s of base.services) {
    objs.push(echoDeployment(s.namespace, s.name, s.backend.replicas, s.selector));
    objs.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: s.name, namespace: s.namespace }, spec: { selector: s.selector, ports: s.ports } });
  }
  for (const g of base.gateways) {
    objs.push({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: g.name, namespace: g.namespace }, spec: { gatewayClassName: 'podnet', listeners: g.listeners } });
  }
  objs.push({
    apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'tls-validity-checks-certificate', namespace: 'gateway-conformance-infra' },
    data: { 'tls.crt': readFileSync(`${TESTDATA}/example.org.crt`).toString('base64'), 'tls.key': readFileSync(`${TESTDATA}/example.org.key`).toString('base64') },
  } as KubeObject);
  objs.push({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'same-namespace-with-https-listener', namespace: 'gateway-conformance-infra' },
    spec: {
      gatewayClassName: 'podnet',
      listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', allowedRoutes: { namespaces: { from: 'Same' } }, tls: { certificateRefs: [{ group: '', kind: 'Secret', name: 'tls-validity-checks-certificate' }] } }],
    },
  });
  objs.push({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client', namespace: 'default' },
    spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/e2e-test-images/agnhost:2.45', args: ['pause'] }] },
  });
  return objs.map((o) => stringify(o)).join('---\n');
}

export function caseManifests(c: Json): string {
  return (JSON.parse(JSON.stringify(c.objects).replaceAll('{GATEWAY_CLASS_NAME}', 'podnet')) as KubeObject[]).map((o) => stringify(o)).join('---\n');
}

type Cond = { type: string; status: string; reason?: string };
const condsHold = (have: Cond[] | undefined, want: Cond[]): boolean =>
  want.every((w) => (have ?? []).some((h) => h.type === w.type && h.status === w.status && (w.reason === undefined || h.reason === w.reason)));

/** The first status check of a case that the stored objects do not meet, or undefined. */
export function unmetStatus(c: Json, get: (kind: string, ns: string, name: string) => KubeObject | undefined): string | undefined {
  for (const s of c.statusChecks as Json[]) {
    const o = get(s.kind, s.namespace, s.name) as Json;
    const what = `${s.kind} ${s.namespace}/${s.name}`;
    if (!o) return `${what} not found`;
    if (s.kind === 'HTTPRoute' && s.parent) {
      const parents = ((o.status?.parents ?? []) as Json[]).filter((p) => p.parentRef.name === s.parent.name && (p.parentRef.namespace ?? s.namespace) === s.parent.namespace);
      if (parents.length === 0) return `${what}: no status for parent ${s.parent.name}`;
      if (!parents.every((p) => condsHold(p.conditions, s.conditions))) return `${what}: conditions ${JSON.stringify(parents.map((p) => p.conditions))}`;
      if (s.sectionNames && JSON.stringify(parents.map((p) => p.parentRef.sectionName).sort()) !== JSON.stringify([...s.sectionNames].sort())) return `${what}: section names`;
      if (s.noAcceptedParents && parents.some((p) => condsHold(p.conditions, [{ type: 'Accepted', status: 'True' }]))) return `${what}: an accepted parent`;
    }
    if (s.kind === 'Gateway') {
      const listeners = (o.status?.listeners ?? []) as Json[];
      if (s.attachedRoutesTotal !== undefined && listeners.reduce((n: number, l: Json) => n + l.attachedRoutes, 0) !== s.attachedRoutesTotal) return `${what}: attachedRoutes`;
      for (const l of s.listeners ?? []) {
        const have = listeners.find((x) => x.name === l.name);
        if (!have || have.attachedRoutes !== l.attachedRoutes || !condsHold(have.conditions, l.conditions)) return `${what}: listener ${l.name} ${JSON.stringify(have)}`;
      }
    }
  }
  return undefined;
}

export interface Answer { status?: number; headers?: Record<string, string>; body?: string; error?: string }

function echoHeader(j: { headers: Record<string, string[]> }, name: string): string | undefined {
  const k = Object.keys(j.headers).find((h) => h.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : j.headers[k].join(',');
}

/** Why an answer does not meet the expectation, or undefined when it does. */
export function judge(e: Json, r: Answer, host: string): string | undefined {
  if (r.error) return r.error;
  if (r.status !== e.status) return `status ${r.status}, want ${e.status}; body ${r.body?.slice(0, 120)}`;
  const h = r.headers ?? {};
  for (const [name, value] of Object.entries(e.responseHeaders ?? {})) if (h[name.toLowerCase()] !== value) return `response header ${name}: ${h[name.toLowerCase()]}`;
  for (const name of e.absentResponseHeaders ?? []) if (h[(name as string).toLowerCase()] !== undefined) return `response header ${name} present`;
  if (e.location !== undefined && h.location !== (e.location as string).replace('{request-host}', host)) return `Location ${h.location}`;
  if (r.status !== 200) return undefined;
  const j = JSON.parse(r.body ?? '{}') as { pod: string; namespace: string; path: string; host: string; method: string; headers: Record<string, string[]> };
  if (e.backend?.service && !(j.namespace === e.backend.namespace && j.pod.startsWith(`${e.backend.service}-`))) return `backend ${j.namespace}/${j.pod}, want ${e.backend.namespace}/${e.backend.service}`;
  if (e.path !== undefined && j.path !== e.path) return `path ${j.path}`;
  if (e.host !== undefined && j.host !== e.host) return `host ${j.host}`;
  if (e.method !== undefined && j.method !== e.method) return `method ${j.method}`;
  for (const [name, value] of Object.entries(e.headers ?? {})) if (echoHeader(j, name) !== value) return `header ${name}: ${echoHeader(j, name)}`;
  for (const name of e.absentHeaders ?? []) if (echoHeader(j, name as string) !== undefined) return `header ${name} present`;
  return undefined;
}

/** A case's request as the client sends it, at the Gateway's address (or the port-forward's). */
export function wireRequest(rq: Json, address: string, port: number): { address: string; port: number; host: string; path: string; method: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { ...(rq.request.headers ?? {}) };
  const backendSet = Object.entries((rq.request.backendSetResponseHeaders ?? {}) as Record<string, string>);
  headers['X-Echo-Set-Header'] = backendSet.map(([k, v]) => `${k}:${v}`).join(',');
  return { address, port, host: rq.request.host ?? address, path: rq.request.path, method: rq.request.method ?? 'GET', headers };
}
