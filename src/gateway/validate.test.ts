import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorsFor, ManifestError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { loadCases } from './conformance-kit.test-util.js';
import { validateGateway, validateGatewayClass, validateHTTPRoute, validateIngress, validateIngressClass, validateReferenceGrant } from './validate.js';

const VALIDATORS: Record<string, (o: KubeObject, err: ReturnType<typeof errorsFor>) => void> = {
  GatewayClass: validateGatewayClass, Gateway: validateGateway, HTTPRoute: validateHTTPRoute, ReferenceGrant: validateReferenceGrant,
  Ingress: validateIngress, IngressClass: validateIngressClass,
};

function check(o: KubeObject): void {
  VALIDATORS[o.kind](o, errorsFor(o, { file: 'app.yaml', doc: 0 }));
}

function problem(o: KubeObject): string {
  try {
    check(o);
  } catch (e) {
    assert.ok(e instanceof ManifestError, `a ManifestError, not ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
  return 'valid';
}

const route = (spec: unknown): KubeObject => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'ns' }, spec });
const gateway = (listeners: unknown[]): KubeObject => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'ns' }, spec: { gatewayClassName: 'podnet', listeners } });
const ingress = (spec: unknown): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'ns' }, spec });

describe('gateway validation', () => {
  it('every object of the conformance cases is valid', () => {
    const { cases } = loadCases();
    for (const c of cases) for (const o of c.objects) assert.equal(problem(o), 'valid', `${c.name}: ${o.kind} ${o.metadata.name}`);
  });
  it('Gateway listeners', () => {
    assert.equal(problem(gateway([])), 'app.yaml: Gateway ns/g: spec.listeners: must have at least one listener');
    assert.equal(problem(gateway([{ name: 'a', port: 80, protocol: 'HTTP' }, { name: 'a', port: 81, protocol: 'HTTP' }])), 'app.yaml: Gateway ns/g: spec.listeners[1].name: "a" is used by another listener: names must be unique');
    assert.equal(problem(gateway([{ name: 'a', port: 0, protocol: 'HTTP' }])), 'app.yaml: Gateway ns/g: spec.listeners[0].port: must be an integer between 1 and 65535, not 0');
    assert.match(problem(gateway([{ name: 'a', port: 80, protocol: 'HTTP', hostname: '10.0.0.1' }])), /spec.listeners\[0\].hostname: "10.0.0.1" must be a DNS name, not an IP address$/);
    assert.match(problem(gateway([{ name: 'a', port: 80, protocol: 'HTTP', hostname: 'a.*.com' }])), /hostname: "a.\*.com": a wildcard is only allowed as the whole first label/);
    assert.match(problem(gateway([{ name: 'a', port: 443, protocol: 'HTTPS', tls: {} }])), /spec.listeners\[0\].tls.certificateRefs: required for HTTPS listeners/);
    assert.match(problem(gateway([{ name: 'a', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Mine' } } }])), /allowedRoutes.namespaces.from: unsupported value "Mine"/);
  });
  it('HTTPRoute rules', () => {
    assert.match(problem(route({ rules: [{ matches: [{ path: { type: 'PathPrefix', value: 'api' } }] }] })), /spec.rules\[0\].matches\[0\].path.value: must be an absolute path/);
    assert.match(problem(route({ rules: [{ matches: [{ path: { type: 'RegularExpression', value: '(' } }] }] })), /is not a valid regular expression/);
    assert.match(problem(route({ rules: [{ matches: [{ method: 'FETCH' }] }] })), /spec.rules\[0\].matches\[0\].method: unsupported value "FETCH"/);
    assert.match(problem(route({ rules: [{ backendRefs: [{ name: 'svc' }] }] })), /spec.rules\[0\].backendRefs\[0\].port: required for a Service reference/);
    assert.match(problem(route({ rules: [{ backendRefs: [{ name: 'svc', port: 80, weight: -1 }] }] })), /weight: must be an integer between 0 and 1000000/);
    assert.match(problem(route({ rules: [{ matches: [{ path: { type: 'Exact', value: '/a' } }], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' } } }] }] })), /ReplacePrefixMatch needs the rule to have exactly one match, of path type PathPrefix/);
    assert.match(problem(route({ rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { statusCode: 304 } }] }] })), /statusCode: must be one of 301, 302, 303, 307, 308/);
    assert.match(problem(route({ rules: [{ filters: [{ type: 'RequestRedirect', urlRewrite: {} }] }] })), /filters\[0\].urlRewrite: must not be set for filter type RequestRedirect/);
    assert.match(problem(route({ rules: [{ timeouts: { request: '1.5s' } }] })), /timeouts.request: "1.5s" must be a duration/);
    assert.match(problem(route({ rules: [{ timeouts: { request: '1s', backendRequest: '2s' } }] })), /backendRequest: must be no greater than timeouts.request/);
    assert.match(problem(route({ hostnames: ['*'] })), /spec.hostnames\[0\]/);
  });
  it('ReferenceGrant and GatewayClass', () => {
    assert.match(problem({ apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'g', namespace: 'ns' }, spec: { from: [{ kind: 'HTTPRoute', namespace: 'a' }], to: [{ group: '', kind: 'Service' }] } }), /spec.from\[0\].group: required/);
    assert.match(problem({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'c' }, spec: { controllerName: 'podnet' } }), /^app.yaml: GatewayClass c: spec.controllerName: "podnet" must be a domain-prefixed path/);
  });
});

describe('ingress validation', () => {
  const svc = { service: { name: 'web', port: { number: 80 } } };
  it('valid ones pass', () => {
    assert.equal(problem(ingress({ defaultBackend: svc })), 'valid');
    assert.equal(problem(ingress({ rules: [{ host: '*.foo.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc }, { pathType: 'ImplementationSpecific', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }] })), 'valid');
  });
  it('problems name the field', () => {
    assert.equal(problem(ingress({})), 'app.yaml: Ingress ns/i: spec: either `defaultBackend` or `rules` must be specified');
    assert.match(problem(ingress({ rules: [{ http: { paths: [{ path: '/', backend: svc }] } }] })), /spec.rules\[0\].http.paths\[0\].pathType: required/);
    assert.match(problem(ingress({ rules: [{ http: { paths: [{ path: 'x', pathType: 'Exact', backend: svc }] } }] })), /paths\[0\].path: must be an absolute path/);
    assert.match(problem(ingress({ defaultBackend: { service: { name: 'web', port: { number: 80, name: 'http' } } } })), /spec.defaultBackend.service.port: cannot set both port name & port number/);
    assert.match(problem(ingress({ defaultBackend: { service: { name: 'web', port: {} } } })), /port name or number is required/);
    assert.match(problem(ingress({ defaultBackend: svc, rules: [{ host: '1.2.3.4' }] })), /spec.rules\[0\].host: "1.2.3.4" must be a DNS name, not an IP address/);
    assert.match(problem(ingress({ defaultBackend: svc, tls: [{ secretName: 'Bad_Name' }] })), /spec.tls\[0\].secretName/);
  });
  it('IngressClass', () => {
    const cls = (controller: unknown, def?: string): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'podnet', ...(def ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': def } } : {}) }, spec: { controller } });
    assert.equal(problem(cls('podnet.dev/ingress', 'true')), 'valid');
    assert.match(problem(cls(undefined)), /spec.controller: required/);
    assert.match(problem(cls('podnet.dev/ingress', 'yes')), /is-default-class\]: must be "true" or "false"/);
  });
});
