// Table-driven cases after the examples of Istio's AuthorizationPolicy reference and tasks
// (istio.io/latest/docs/reference/config/security/authorization-policy, tasks/security/
// authorization/*): allow-all, allow-nothing, deny-all, principals and namespaces, methods and
// paths, ipBlocks, selector, root namespace, DENY before ALLOW, HTTP-only fields on TCP.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { AuthorizationPolicy } from '../kinds/types.js';
import { authorize } from './evaluate.js';
import type { AuthzRequest, AuthzVerdict, Workload } from './types.js';

function policies(yaml: string): AuthorizationPolicy[] {
  return parseAllDocuments(yaml).map((d) => {
    const p = d.toJS() as AuthorizationPolicy;
    p.apiVersion = 'security.istio.io/v1';
    p.kind = 'AuthorizationPolicy';
    p.metadata.namespace ??= 'foo';
    return p;
  });
}

const HTTPBIN: Workload = { namespace: 'foo', labels: { app: 'httpbin', version: 'v1' } };
const SLEEP = 'cluster.local/ns/foo/sa/sleep';

function http(method: string, path: string, principal?: string, extra: Partial<AuthzRequest> = {}, headers: Record<string, string> = {}): AuthzRequest {
  return { source: { principal, ip: '10.244.1.9' }, destination: { ip: '10.244.2.3', port: 8000 }, http: { method, path, host: 'httpbin.foo:8000', headers }, ...extra };
}

function tcp(principal?: string, port = 9000, ip = '10.244.1.9'): AuthzRequest {
  return { source: { principal, ip }, destination: { port } };
}

function short(v: AuthzVerdict): string {
  return `${v.allowed ? 'allow' : 'deny'} ${v.reason}${v.policy ? ` ${v.policy}#${v.rule}` : ''}`;
}

const ALLOW_READ = `metadata: {name: allow-read}
spec:
  selector: {matchLabels: {app: httpbin, version: v1}}
  action: ALLOW
  rules:
  - from:
    - source: {principals: ["cluster.local/ns/default/sa/sleep"]}
    - source: {namespaces: ["dev"]}
    to: [{operation: {methods: ["GET"], paths: ["/info*"]}}]
  - to: [{operation: {methods: ["HEAD"], paths: ["*/status"]}}]
`;

const CASES: [string, string, AuthzRequest, string, Workload?][] = [
  ['no policy: allow', '', http('GET', '/'), 'allow no-policy'],
  ['allow-all ({} rule)', 'metadata: {name: allow-all}\nspec: {rules: [{}]}', http('DELETE', '/x'), 'allow allow foo/allow-all#0'],
  ['allow-nothing (no rules) denies everything', 'metadata: {name: allow-nothing}\nspec: {}', http('GET', '/'), 'deny no-allow-match'],
  ['deny-all', 'metadata: {name: deny-all}\nspec: {action: DENY, rules: [{}]}', http('GET', '/'), 'deny deny foo/deny-all#0'],
  ['DENY without rules denies nothing', 'metadata: {name: deny-none}\nspec: {action: DENY}', http('GET', '/'), 'allow no-policy'],
  ['principal and path match', ALLOW_READ, http('GET', '/info/x', 'cluster.local/ns/default/sa/sleep'), 'allow allow foo/allow-read#0'],
  ['spiffe:// prefix accepted on the request side', ALLOW_READ, http('GET', '/info', 'spiffe://cluster.local/ns/default/sa/sleep'), 'allow allow foo/allow-read#0'],
  ['namespace from the certificate', ALLOW_READ, http('GET', '/info', 'cluster.local/ns/dev/sa/any'), 'allow allow foo/allow-read#0'],
  ['wrong principal', ALLOW_READ, http('GET', '/info', SLEEP), 'deny no-allow-match'],
  ['wrong method', ALLOW_READ, http('POST', '/info', 'cluster.local/ns/default/sa/sleep'), 'deny no-allow-match'],
  ['plain text has no principal', ALLOW_READ, http('GET', '/info'), 'deny no-allow-match'],
  ['suffix path, any source', ALLOW_READ, http('HEAD', '/a/status'), 'allow allow foo/allow-read#1'],
  ['selector not matching: policy does not apply', ALLOW_READ, http('POST', '/'), 'allow no-policy', { namespace: 'foo', labels: { app: 'httpbin', version: 'v2' } }],
  ['other namespace: policy does not apply', ALLOW_READ, http('POST', '/'), 'allow no-policy', { namespace: 'bar', labels: { app: 'httpbin', version: 'v1' } }],
  ['DENY before ALLOW', `${ALLOW_READ}---
metadata: {name: deny-dev-post}
spec: {action: DENY, rules: [{from: [{source: {namespaces: [dev]}}], to: [{operation: {methods: [GET]}}]}]}`, http('GET', '/info', 'cluster.local/ns/dev/sa/x'), 'deny deny foo/deny-dev-post#0'],
  ['notNamespaces deny', 'metadata: {name: only-foo}\nspec: {action: DENY, rules: [{from: [{source: {notNamespaces: [foo]}}]}]}', http('GET', '/', 'cluster.local/ns/bar/sa/x'), 'deny deny foo/only-foo#0'],
  ['notNamespaces: own namespace passes', 'metadata: {name: only-foo}\nspec: {action: DENY, rules: [{from: [{source: {notNamespaces: [foo]}}]}]}', http('GET', '/', SLEEP), 'allow no-policy'],
  ['notPrincipals matches plain text (no principal)', 'metadata: {name: d}\nspec: {action: DENY, rules: [{from: [{source: {notPrincipals: ["*"]}}]}]}', http('GET', '/'), 'deny deny foo/d#0'],
  ['principals * requires mTLS', 'metadata: {name: a}\nspec: {rules: [{from: [{source: {principals: ["*"]}}]}]}', http('GET', '/', SLEEP), 'allow allow foo/a#0'],
  ['ipBlocks', 'metadata: {name: ip}\nspec: {rules: [{from: [{source: {ipBlocks: ["10.244.1.0/24"]}}]}]}', http('GET', '/'), 'allow allow foo/ip#0'],
  ['ipBlocks miss', 'metadata: {name: ip}\nspec: {rules: [{from: [{source: {ipBlocks: ["10.244.3.0/24", "10.244.1.8"]}}]}]}', http('GET', '/'), 'deny no-allow-match'],
  ['remoteIpBlocks uses remote.ip', 'metadata: {name: ip}\nspec: {rules: [{from: [{source: {remoteIpBlocks: ["203.0.113.4"]}}]}]}', http('GET', '/', undefined, { source: { ip: '10.0.0.1', remoteIp: '203.0.113.4' } }), 'allow allow foo/ip#0'],
  ['ports', 'metadata: {name: p}\nspec: {rules: [{to: [{operation: {ports: ["8000"]}}]}]}', http('GET', '/'), 'allow allow foo/p#0'],
  ['notPorts', 'metadata: {name: p}\nspec: {rules: [{to: [{operation: {notPorts: ["8000"]}}]}]}', http('GET', '/'), 'deny no-allow-match'],
  ['hosts ignore case and port', 'metadata: {name: h}\nspec: {rules: [{to: [{operation: {hosts: ["HTTPBIN.foo"]}}]}]}', http('GET', '/'), 'allow allow foo/h#0'],
  ['when request.headers', 'metadata: {name: w}\nspec: {rules: [{when: [{key: "request.headers[version]", values: ["v1", "v2"]}]}]}', http('GET', '/', undefined, {}, { version: 'v2' }), 'allow allow foo/w#0'],
  ['when notValues', 'metadata: {name: w}\nspec: {rules: [{when: [{key: source.ip, notValues: ["10.244.1.0/24"]}]}]}', http('GET', '/'), 'deny no-allow-match'],
  ['when source.namespace', 'metadata: {name: w}\nspec: {rules: [{when: [{key: source.namespace, values: [foo]}]}]}', http('GET', '/', SLEEP), 'allow allow foo/w#0'],
  ['root namespace applies mesh-wide', 'metadata: {name: global-deny, namespace: istio-system}\nspec: {action: DENY, rules: [{to: [{operation: {paths: ["/admin*"]}}]}]}', http('GET', '/admin/x', SLEEP), 'deny deny istio-system/global-deny#0'],
  ['root namespace selector: only workloads with those labels', 'metadata: {name: g, namespace: istio-system}\nspec: {selector: {matchLabels: {app: other}}, rules: [{}]}', http('GET', '/'), 'allow no-policy'],
  ['AUDIT never decides', 'metadata: {name: audit}\nspec: {action: AUDIT, rules: [{}]}', http('GET', '/'), 'allow no-policy'],
  ['TCP: ALLOW rule with HTTP-only fields never matches', 'metadata: {name: t}\nspec: {rules: [{to: [{operation: {methods: [GET], ports: ["9000"]}}]}]}', tcp(SLEEP), 'deny no-allow-match'],
  ['TCP: ALLOW rule with TCP fields matches', 'metadata: {name: t}\nspec: {rules: [{from: [{source: {principals: ["cluster.local/ns/foo/*"]}}], to: [{operation: {ports: ["9000"]}}]}]}', tcp(SLEEP), 'allow allow foo/t#0'],
  ['TCP: DENY rule ignores HTTP-only fields (denies more)', 'metadata: {name: t}\nspec: {action: DENY, rules: [{to: [{operation: {methods: [POST], ports: ["9000"]}}]}]}', tcp(SLEEP), 'deny deny foo/t#0'],
  ['TCP: DENY with header condition ignores it', 'metadata: {name: t}\nspec: {action: DENY, rules: [{from: [{source: {namespaces: [foo]}}], when: [{key: "request.headers[x]", values: ["1"]}]}]}', tcp(SLEEP), 'deny deny foo/t#0'],
  ['requestPrincipals never match without JWT', 'metadata: {name: j}\nspec: {rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]}', http('GET', '/', SLEEP), 'deny no-allow-match'],
];

describe('authorize', () => {
  for (const [name, yaml, req, want, workload] of CASES) {
    it(name, () => assert.equal(short(authorize(req, yaml ? policies(yaml) : [], workload ?? HTTPBIN)), want));
  }

  it('says which ALLOW policies were considered when none matched', () => {
    const v = authorize(http('GET', '/'), policies('metadata: {name: b}\nspec: {}\n---\nmetadata: {name: a}\nspec: {rules: [{from: [{source: {namespaces: [x]}}]}]}'), HTTPBIN);
    assert.deepEqual(v.considered, ['foo/a', 'foo/b']);
  });
});
