// The reference model, clause by clause of networking.k8s.io/v1 NetworkPolicy, as a table:
// each case is some policies and connections with the expected verdict (and, for some, a piece of
// the explanation that must name the reason).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1NetworkPolicy } from '../api/types.js';
import { PolicyModel } from './model.js';
import { podFromV1, type PolicyWorld } from './types.js';

const np = (namespace: string, name: string, spec: Record<string, unknown>) => ({ metadata: { namespace, name }, spec }) as V1NetworkPolicy;

const base: Omit<PolicyWorld, 'policies'> = {
  namespaces: [
    { name: 'a', labels: { 'kubernetes.io/metadata.name': 'a', team: 'red' } },
    { name: 'b', labels: { 'kubernetes.io/metadata.name': 'b', team: 'blue' } },
    // namespace c has pods but no Namespace object: it still has its name label
  ],
  pods: [
    { namespace: 'a', name: 'web', labels: { app: 'web' }, node: 'n1', ips: ['10.0.1.1', 'fd00::1:1'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] },
    { namespace: 'a', name: 'api', labels: { app: 'api' }, node: 'n1', ips: ['10.0.1.2'], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] },
    { namespace: 'b', name: 'web', labels: { app: 'web' }, node: 'n2', ips: ['10.0.2.1', 'fd00::2:1'], ports: [] },
    { namespace: 'b', name: 'db', labels: { app: 'db', tier: 'data' }, node: 'n2', ips: ['10.0.2.2'], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] },
    { namespace: 'c', name: 'tool', labels: { app: 'tool' }, node: 'n2', ips: ['10.0.2.3'], ports: [] },
  ],
  nodes: [{ name: 'n1', ips: ['10.0.1.254', '172.18.0.2'] }, { name: 'n2', ips: ['10.0.2.254', '172.18.0.3'] }],
};

type Query = [src: string, dst: string, port: number | undefined, protocol: string, allowed: boolean, why?: string];
const CASES: { clause: string; policies: V1NetworkPolicy[]; queries: Query[] }[] = [
  { clause: 'no policy: everything is allowed', policies: [], queries: [['a/web', 'b/db', 5432, 'TCP', true, 'not isolated'], ['8.8.8.8', 'a/api', 1, 'UDP', true]] },
  { clause: 'ingress: [] isolates and denies all ingress; egress stays open', policies: [np('a', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })],
    queries: [['b/web', 'a/web', 8080, 'TCP', false, 'isolated for ingress by 1 policy'], ['a/web', 'b/web', 80, 'TCP', true], ['a/api', 'a/web', 8080, 'TCP', false]] },
  { clause: 'an Egress-only policy does not isolate ingress', policies: [np('a', 'e', { podSelector: {}, policyTypes: ['Egress'] })],
    queries: [['b/web', 'a/web', 8080, 'TCP', true], ['a/web', 'b/web', 80, 'TCP', false, 'isolated for egress']] },
  { clause: 'policyTypes omitted: Ingress always, Egress when egress rules exist', policies: [np('a', 'p', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ podSelector: {} }] }] })],
    queries: [['b/web', 'a/web', 8080, 'TCP', false], ['a/web', 'a/api', 1, 'TCP', true], ['a/web', 'b/web', 1, 'TCP', false]] },
  { clause: 'policyTypes omitted with egress: [] isolates ingress only', policies: [np('a', 'p', { podSelector: {}, ingress: [{}], egress: [] })],
    queries: [['a/web', '8.8.8.8', 53, 'UDP', true], ['b/db', 'a/web', 8080, 'TCP', true]] },
  { clause: 'ingress: [{}] allows every source, port and protocol', policies: [np('a', 'p', { podSelector: {}, ingress: [{}] })],
    queries: [['8.8.8.8', 'a/web', 1, 'SCTP', true, 'allowed by a/p ingress[0]'], ['b/db', 'a/api', undefined, 'ICMP', true]] },
  { clause: 'from: [] is every source, like a missing from', policies: [np('a', 'p', { podSelector: {}, ingress: [{ from: [], ports: [{ port: 8080 }] }] })],
    queries: [['8.8.8.8', 'a/web', 8080, 'TCP', true], ['8.8.8.8', 'a/web', 8081, 'TCP', false, 'no port of this rule matches 8081/TCP']] },
  { clause: 'podSelector {} selects every pod of the namespace, and only it', policies: [np('b', 'deny', { podSelector: {} })],
    queries: [['a/web', 'b/web', 80, 'TCP', false], ['a/web', 'b/db', 80, 'TCP', false], ['b/db', 'a/web', 8080, 'TCP', true]] },
  { clause: 'a podSelector peer means pods of the policy\'s own namespace', policies: [np('a', 'p', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] })],
    queries: [['a/web', 'a/api', 9090, 'TCP', true], ['b/web', 'a/api', 9090, 'TCP', false, 'only pods of namespace a match; b/web is in b']] },
  { clause: 'a namespaceSelector peer means every pod of the selected namespaces', policies: [np('a', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }] }] })],
    queries: [['b/db', 'a/web', 8080, 'TCP', true], ['a/api', 'a/web', 8080, 'TCP', false, 'namespaceSelector team=blue did not match namespace a (labels kubernetes.io/metadata.name=a,team=red)']] },
  { clause: 'both selectors in one peer: AND', policies: [np('a', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } }, podSelector: { matchLabels: { app: 'db' } } }] }] })],
    queries: [['b/db', 'a/web', 8080, 'TCP', true], ['b/web', 'a/web', 8080, 'TCP', false, 'podSelector app=db did not match b/web (labels app=web)']] },
  { clause: 'selectors in separate peers: OR', policies: [np('a', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }, { podSelector: { matchLabels: { app: 'api' } } }] }] })],
    queries: [['b/web', 'a/web', 8080, 'TCP', true], ['a/api', 'a/web', 8080, 'TCP', true], ['c/tool', 'a/web', 8080, 'TCP', false]] },
  { clause: 'matchExpressions: In, NotIn, Exists, DoesNotExist', policies: [np('b', 'p', { podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['blue'] }] }, podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'tool'] }, { key: 'tier', operator: 'DoesNotExist' }] } }] }] })],
    queries: [['a/web', 'b/db', 5432, 'TCP', true], ['c/tool', 'b/db', 5432, 'TCP', true], ['a/api', 'b/db', 5432, 'TCP', false], ['b/web', 'b/db', 5432, 'TCP', false], ['a/api', 'b/web', 1, 'TCP', true]] },
  { clause: 'namespaces without a Namespace object still have kubernetes.io/metadata.name', policies: [np('a', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'c' } } }] }] })],
    queries: [['c/tool', 'a/web', 8080, 'TCP', true], ['b/web', 'a/web', 8080, 'TCP', false]] },
  { clause: 'ipBlock with except, for external addresses and pod addresses alike', policies: [np('a', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.2.0/24'] } }, { ipBlock: { cidr: '192.168.0.0/16' } }] }] })],
    queries: [['192.168.1.5', 'a/web', 8080, 'TCP', true], ['10.9.9.9', 'a/web', 8080, 'TCP', true], ['b/web', 'a/web', 8080, 'TCP', false, '10.0.2.1 is in except 10.0.2.0/24'], ['8.8.8.8', 'a/web', 8080, 'TCP', false, '8.8.8.8 is outside 10.0.0.0/8']] },
  { clause: 'ipBlock is per family', policies: [np('a', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'fd00::/16' } }] }] })],
    queries: [['fd00::2:1', 'a/web', 8080, 'TCP', true], ['10.0.2.1', 'a/web', 8080, 'TCP', false, 'is not an IPv6 address']] },
  { clause: 'ports: protocol defaults to TCP; UDP and SCTP are distinct', policies: [np('a', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 53 }, { protocol: 'SCTP', port: 80 }] }] })],
    queries: [['b/web', 'a/web', 53, 'TCP', true], ['b/web', 'a/web', 53, 'UDP', false, 'protocol UDP is not TCP'], ['b/web', 'a/web', 80, 'SCTP', true], ['b/web', 'a/web', 80, 'TCP', false]] },
  { clause: 'named ports resolve on each destination pod', policies: [np('a', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] })],
    queries: [['b/web', 'a/web', 8080, 'TCP', true], ['b/web', 'a/api', 9090, 'TCP', true], ['b/web', 'a/api', 8080, 'TCP', false, 'http is 9090 on a/api, not 8080']] },
  { clause: 'egress named ports resolve on the destination; a non-pod destination has none', policies: [np('a', 'p', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'pg' }, { port: 'dns', protocol: 'UDP' }] }] })],
    queries: [['a/api', 'b/db', 5432, 'TCP', true], ['a/api', 'a/web', 53, 'UDP', true], ['a/api', 'a/web', 5432, 'TCP', false, 'a/web has no TCP container port named pg'], ['a/api', '8.8.8.8', 5432, 'TCP', false, 'the destination is not a pod']] },
  { clause: 'endPort: an inclusive range', policies: [np('b', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 5000, endPort: 5432 }] }] })],
    queries: [['a/web', 'b/db', 5000, 'TCP', true], ['a/web', 'b/db', 5432, 'TCP', true], ['a/web', 'b/db', 5433, 'TCP', false, '5433 is not in 5000-5432']] },
  { clause: 'a protocol-only port allows every port of it, never ICMP', policies: [np('b', 'p', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP' }] }] })],
    queries: [['a/web', 'b/db', 12345, 'UDP', true], ['a/web', 'b/db', undefined, 'ICMP', false]] },
  { clause: 'the union of every policy selecting the pod', policies: [np('b', 'only-80', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }), np('b', 'from-a', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'red' } } }] }] })],
    queries: [['a/web', 'b/db', 5432, 'TCP', true, 'allowed by b/from-a ingress[0]'], ['c/tool', 'b/db', 80, 'TCP', true], ['c/tool', 'b/db', 5432, 'TCP', false, 'by 2 policies'], ['a/web', 'b/web', 5432, 'TCP', false]] },
  { clause: 'both sides must allow: the source\'s egress and the destination\'s ingress', policies: [np('a', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }] }] }), np('b', 'in', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })],
    queries: [['a/web', 'b/db', 1, 'TCP', false, 'isolated for ingress'], ['b/web', 'b/db', 1, 'TCP', true], ['a/web', '8.8.8.8', 1, 'TCP', false], ['a/web', 'c/tool', 1, 'TCP', true]] },
  { clause: 'traffic from the pod\'s own node is always allowed; from another node it is not special', policies: [np('a', 'deny', { podSelector: {} })],
    queries: [['10.0.1.254', 'a/web', 8080, 'TCP', true, "own node is always allowed"], ['172.18.0.3', 'a/web', 8080, 'TCP', false]] },
  { clause: 'egress to a node address is policed like any address', policies: [np('a', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '172.18.0.0/24' } }] }] })],
    queries: [['a/web', '172.18.0.2', 10250, 'TCP', true], ['a/web', '10.0.1.254', 53, 'UDP', false]] },
  { clause: 'a pod reaching itself never leaves its namespace: always allowed', policies: [np('a', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    queries: [['a/web', 'a/web', 8080, 'TCP', true, 'loopback'], ['a/web', 'a/api', 8080, 'TCP', false]] },
  { clause: 'IPv6 addresses resolve to the same pods', policies: [np('b', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'red' } } }] }] })],
    queries: [['fd00::1:1', 'fd00::2:1', 80, 'TCP', true], ['fd00:0::1:1', 'b/web', 80, 'TCP', true], ['fd00::99', 'fd00::2:1', 80, 'TCP', false]] },
];

describe('PolicyModel: NetworkPolicy clauses', () => {
  for (const c of CASES) {
    it(c.clause, () => {
      const model = new PolicyModel({ ...base, policies: c.policies });
      for (const [src, dst, port, protocol, want, why] of c.queries) {
        const v = model.allowed(src, dst, port, protocol);
        const text = JSON.stringify(v);
        assert.equal(v.allowed, want, `${src} -> ${dst} ${port}/${protocol}: ${text}`);
        if (why) assert.ok(text.includes(why), `${src} -> ${dst}: explanation lacks ${JSON.stringify(why)}: ${text}`);
      }
    });
  }

  it('names unknown pods and bad addresses in one line', () => {
    const model = new PolicyModel({ ...base, policies: [] });
    assert.throws(() => model.allowed('a/nope', 'a/web', 80, 'TCP'), /^Error: pod a\/nope not found$|pod a\/nope not found/);
    assert.throws(() => model.allowed('not-an-ip', 'a/web', 80, 'TCP'), /"not-an-ip" is neither NAMESPACE\/POD nor an IP address/);
  });

  it('leaves out hostNetwork pods and finished pods (they are not policy subjects)', () => {
    const pod = (extra: object) => ({ metadata: { name: 'p', namespace: 'a' }, spec: { containers: [] }, status: { podIP: '10.0.0.9' }, ...extra });
    assert.equal(podFromV1(pod({ spec: { hostNetwork: true, containers: [] } })), undefined);
    assert.equal(podFromV1(pod({ status: { phase: 'Succeeded', podIP: '10.0.0.9' } })), undefined);
    assert.deepEqual(podFromV1(pod({}))?.ips, ['10.0.0.9']);
  });
});
