// Each kind's validation: the documented examples pass; each mistake gives one line naming file,
// object and field, as the API server (Istio's validating webhook) would refuse it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { errorsFor } from '../../api/errors.js';
import { KindRegistry } from '../../api/registry.js';
import type { KubeObject } from '../../api/types.js';
import { meshKinds } from './index.js';

const registry = new KindRegistry(meshKinds());

function check(yaml: string): string | undefined {
  const obj = parseAllDocuments(yaml)[0].toJS() as KubeObject;
  obj.metadata.namespace ??= 'default';
  try {
    registry.get(obj.kind)?.validate?.(obj, errorsFor(obj, { file: 'mesh.yaml', doc: 0 }));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const vs = (http: string, extra = ''): string => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
${extra}  http: ${http}`;

describe('mesh kinds', () => {
  it('registers four kinds at v1, accepting the older versions too', () => {
    assert.deepEqual(meshKinds().map((k) => [k.kind, k.apiVersion, ...k.alsoAccepts]), [
      ['VirtualService', 'networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'],
      ['DestinationRule', 'networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'],
      ['PeerAuthentication', 'security.istio.io/v1', 'security.istio.io/v1beta1'],
      ['AuthorizationPolicy', 'security.istio.io/v1', 'security.istio.io/v1beta1'],
    ]);
  });

  const good: [string, string][] = [
    ['canary', vs('[{route: [{destination: {host: reviews, subset: v1}, weight: 90}, {destination: {host: reviews, subset: v2}, weight: 10}]}]')],
    ['match, retries, fault, mirror, headers', vs(`
  - match: [{uri: {prefix: /api}, headers: {end-user: {exact: jason}}, method: {exact: GET}, port: 9080, sourceLabels: {app: productpage}, queryParams: {v: {regex: "[0-9]+"}}}]
    route: [{destination: {host: reviews.default.svc.cluster.local, port: {number: 9080}}, headers: {request: {set: {x-a: b}}}}]
    timeout: 1.5s
    retries: {attempts: 3, perTryTimeout: 500ms, retryOn: "gateway-error,connect-failure,503"}
    fault: {delay: {fixedDelay: 7s, percentage: {value: 0.1}}, abort: {httpStatus: 500, percentage: {value: 50}}}
    mirror: {host: reviews, subset: v3}
    mirrorPercentage: {value: 25.5}
    headers: {request: {add: {x-b: c}, remove: [x-c]}, response: {set: {x-d: e}}}`)],
    ['destination rule', `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy:
    loadBalancer: {simple: LEAST_REQUEST}
    connectionPool: {tcp: {maxConnections: 100}, http: {http1MaxPendingRequests: 10, http2MaxRequests: 1000, maxRequestsPerConnection: 10}}
    outlierDetection: {consecutive5xxErrors: 7, interval: 5m, baseEjectionTime: 15m, maxEjectionPercent: 50}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}, trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}}`],
    ['peer authentication', `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default}
spec:
  selector: {matchLabels: {app: finance}}
  mtls: {mode: STRICT}
  portLevelMtls: {"8080": {mode: DISABLE}}`],
    ['authorization policy', `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: httpbin}
spec:
  selector: {matchLabels: {app: httpbin}}
  action: ALLOW
  rules:
  - from: [{source: {principals: ["cluster.local/ns/default/sa/sleep"]}}, {source: {namespaces: ["test"], ipBlocks: ["10.0.0.0/8"]}}]
    to: [{operation: {methods: ["GET"], paths: ["/info*"], ports: ["8000"]}}]
    when: [{key: "request.headers[version]", values: ["v1", "v2"]}, {key: source.ip, notValues: ["10.1.2.3"]}]
  - {}`],
  ];
  for (const [name, yaml] of good) it(`accepts ${name}`, () => assert.equal(check(yaml), undefined));

  const bad: [string, string][] = [
    [vs('[{route: []}]').replace('hosts: [reviews]', 'hosts: []'), 'mesh.yaml: VirtualService default/reviews: spec.hosts: required: at least one host (a Service name, FQDN or wildcard)'],
    [vs('[{}]'), 'mesh.yaml: VirtualService default/reviews: spec.http[0].route: required: one of route, redirect or directResponse'],
    [vs('[{match: [{uri: {exact: /a, prefix: /b}}], route: [{destination: {host: r}}]}]'), 'mesh.yaml: VirtualService default/reviews: spec.http[0].match[0].uri: must set exactly one of exact, prefix, regex (has exact, prefix)'],
    [vs('[{match: [{uri: {regex: "("}}], route: [{destination: {host: r}}]}]'), 'mesh.yaml: VirtualService default/reviews: spec.http[0].match[0].uri.regex: "(" is not a valid regular expression'],
    [vs('[{route: [{destination: {host: "*.r"}}]}]'), 'mesh.yaml: VirtualService default/reviews: spec.http[0].route[0].destination.host: "*.r": a destination host must name one Service, not a wildcard'],
    [vs('[{route: [{destination: {host: r}}], timeout: 10}]'), 'mesh.yaml: VirtualService default/reviews: spec.http[0].timeout: must be a string'],
    [vs('[{route: [{destination: {host: r}}], timeout: 10x}]'), 'mesh.yaml: VirtualService default/reviews: spec.http[0].timeout: "10x" is not a duration (e.g. 500ms, 10s, 1m30s)'],
    [vs('[{route: [{destination: {host: r}}], retries: {attempts: 2, retryOn: "5xx,sometimes"}}]'), 'mesh.yaml: VirtualService default/reviews: spec.http[0].retries.retryOn: "sometimes" is neither a retry policy (5xx, gateway-error, reset, connect-failure, retriable-4xx, refused-stream, ...) nor a status code'],
    [vs('[{route: [{destination: {host: r}}], fault: {abort: {httpStatus: 500, percentage: {value: 150}}}}]'), 'mesh.yaml: VirtualService default/reviews: spec.http[0].fault.abort.percentage.value: must be a number between 0 and 100'],
    [vs('[{route: [{destination: {host: r}}], fault: {abort: {percentage: {value: 10}}}}]'), 'mesh.yaml: VirtualService default/reviews: spec.http[0].fault.abort: must set exactly one of httpStatus, grpcStatus'],
    [vs('[{route: [{destination: {host: r}, weight: 0}, {destination: {host: s}, weight: 0}]}]'), 'mesh.yaml: VirtualService default/reviews: spec.http[0].route: every weight is 0: no destination would get traffic'],
    [vs('[{route: [{destination: {host: r}}]}]', '  tcp: [{route: []}]\n'), 'mesh.yaml: VirtualService default/reviews: spec.tcp: tcp routes are not supported by podnet (only http); TCP passes through the sidecar unrouted'],
    ['apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec: {host: r, subsets: [{name: v1}, {name: v1}]}', 'mesh.yaml: DestinationRule default/r: spec.subsets[1].name: "v1" is used by another subset: names must be unique'],
    ['apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec: {host: r, trafficPolicy: {loadBalancer: {simple: FASTEST}}}', 'mesh.yaml: DestinationRule default/r: spec.trafficPolicy.loadBalancer.simple: unsupported value "FASTEST": must be one of UNSPECIFIED, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST, LEAST_CONN'],
    ['apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec: {host: r, trafficPolicy: {outlierDetection: {maxEjectionPercent: 101}}}', 'mesh.yaml: DestinationRule default/r: spec.trafficPolicy.outlierDetection.maxEjectionPercent: 101 must be an integer between 0 and 100'],
    ['apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: d}\nspec: {mtls: {mode: strict}}', 'mesh.yaml: PeerAuthentication default/d: spec.mtls.mode: unsupported value "strict": must be one of UNSET, DISABLE, PERMISSIVE, STRICT'],
    ['apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: d}\nspec: {portLevelMtls: {"80": {mode: DISABLE}}}', 'mesh.yaml: PeerAuthentication default/d: spec.portLevelMtls: requires spec.selector (ports belong to a workload)'],
    ['apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: {action: CUSTOM, provider: {name: ext}}', 'mesh.yaml: AuthorizationPolicy default/a: spec.action: CUSTOM authorization (external providers) is not supported by podnet'],
    ['apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: {rules: [{from: [{source: {principals: ["a*b"]}}]}]}', 'mesh.yaml: AuthorizationPolicy default/a: spec.rules[0].from[0].source.principals[0]: "a*b": a * is only allowed at the start or the end'],
    ['apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: {rules: [{from: [{source: {ipBlocks: ["10.0.0.300"]}}]}]}', 'mesh.yaml: AuthorizationPolicy default/a: spec.rules[0].from[0].source.ipBlocks[0]: "10.0.0.300" is not an IP address or CIDR'],
    ['apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: {rules: [{to: [{operation: {ports: ["http"]}}]}]}', 'mesh.yaml: AuthorizationPolicy default/a: spec.rules[0].to[0].operation.ports[0]: "http" must be a port number between 1 and 65535 (written as a string)'],
    ['apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: {rules: [{from: [{source: {}}]}]}', 'mesh.yaml: AuthorizationPolicy default/a: spec.rules[0].from[0].source: must set at least one of principals, notPrincipals, requestPrincipals, notRequestPrincipals, namespaces, notNamespaces, ipBlocks, notIpBlocks, remoteIpBlocks, notRemoteIpBlocks'],
    ['apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: {rules: [{when: [{key: "request.auth.claims[iss]", values: [x]}]}]}', 'mesh.yaml: AuthorizationPolicy default/a: spec.rules[0].when[0].key: "request.auth.claims[iss]" is not supported: use request.headers[NAME] or one of source.ip, remote.ip, source.namespace, source.principal, destination.ip, destination.port, connection.sni'],
  ];
  for (const [yaml, want] of bad) it(want.split(': ').slice(2).join(': '), () => assert.equal(check(yaml), want));
});
