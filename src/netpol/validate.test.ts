import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorsFor, ManifestError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { coreKinds } from '../api/core-kinds.js';
import { defaultObjects, KindRegistry } from '../api/registry.js';
import { validateObjects } from '../api/validate.js';
import { defaultNetworkPolicy, networkPolicyKinds, validateNetworkPolicy } from './validate.js';

const policy = (spec: unknown): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'x' }, spec });
const src = { file: 'np.yaml', doc: 0 };

function check(spec: unknown): string | undefined {
  const obj = policy(spec);
  try {
    validateNetworkPolicy(obj, errorsFor(obj, src));
    return undefined;
  } catch (e) {
    assert.ok(e instanceof ManifestError);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
}

const at = 'np.yaml: NetworkPolicy x/p: ';
const from = (peer: unknown) => ({ podSelector: {}, ingress: [{ from: [peer] }] });
const ports = (...p: unknown[]) => ({ podSelector: {}, ingress: [{ ports: p }] });

describe('validateNetworkPolicy', () => {
  const VALID: [string, unknown][] = [
    ['empty spec (deny all ingress for every pod)', {}],
    ['no spec at all', undefined],
    ['podSelector omitted', { ingress: [{}] }],
    ['every clause at once', {
      podSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'x', operator: 'Exists' }] } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 'http' }, { protocol: 'UDP', port: 53 }, { port: 8000, endPort: 8080 }, { protocol: 'SCTP' }] }],
      egress: [{ to: [{ ipBlock: { cidr: 'fd00::/8', except: ['fd00:1::/32'] } }] }, {}],
    }],
    ['a rule written as a bare `-` (null)', { ingress: [null] }],
    ['host bits in a cidr (the API server accepts them)', from({ ipBlock: { cidr: '10.1.2.3/8' } })],
    ['endPort equal to port', ports({ port: 80, endPort: 80 })],
  ];
  for (const [name, spec] of VALID) it(`accepts ${name}`, () => assert.equal(check(spec), undefined));

  const INVALID: [string, unknown, string][] = [
    ['spec not a mapping', 'deny', 'spec: must be a mapping'],
    ['bad podSelector operator', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] } },
      'spec.podSelector.matchExpressions[0].operator: unsupported value "Equals": must be one of In, NotIn, Exists, DoesNotExist'],
    ['In without values', from({ podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }),
      'spec.ingress[0].from[0].podSelector.matchExpressions[0].values: must be specified when operator is In'],
    ['bad label value in a namespaceSelector', from({ namespaceSelector: { matchLabels: { team: 'a b' } } }),
      'spec.ingress[0].from[0].namespaceSelector.matchLabels.team: invalid value'],
    ['unknown policyType', { policyTypes: ['Ingres'] }, 'spec.policyTypes[0]: unsupported value "Ingres": must be Ingress or Egress'],
    ['duplicate policyType', { policyTypes: ['Egress', 'Egress'] }, 'spec.policyTypes[1]: duplicate value "Egress"'],
    ['ingress not a list', { ingress: {} }, 'spec.ingress: must be a list of rules'],
    ['empty peer', from({}), 'spec.ingress[0].from[0]: must specify a peer: podSelector, namespaceSelector or ipBlock'],
    ['ipBlock with a selector', { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] },
      'spec.egress[0].to[0]: may not specify ipBlock together with podSelector or namespaceSelector (use separate peers)'],
    ['ipBlock without cidr', from({ ipBlock: {} }), 'spec.ingress[0].from[0].ipBlock.cidr: required: a CIDR such as 10.0.0.0/8'],
    ['bad cidr', from({ ipBlock: { cidr: '10.0.0.0/33' } }), 'spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.0/33" has an invalid prefix length (0-32)'],
    ['cidr without prefix', from({ ipBlock: { cidr: '10.0.0.1' } }), 'spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.1" is not a CIDR (expected ADDRESS/PREFIX)'],
    ['except outside cidr', from({ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }),
      'spec.ingress[0].from[0].ipBlock.except[0]: 10.1.0.0/24 must be a strict subset of cidr 10.0.0.0/16'],
    ['except equal to cidr', from({ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.0.0/16'] } }),
      'spec.ingress[0].from[0].ipBlock.except[0]: 10.0.0.0/16 must be a strict subset of cidr 10.0.0.0/16'],
    ['except of the other family', from({ ipBlock: { cidr: '10.0.0.0/8', except: ['fd00::/64'] } }),
      'spec.ingress[0].from[0].ipBlock.except[0]: fd00::/64 must be a strict subset of cidr 10.0.0.0/8'],
    ['bad protocol', ports({ protocol: 'ICMP' }), 'spec.ingress[0].ports[0].protocol: unsupported value "ICMP": must be one of TCP, UDP, SCTP'],
    ['lower-case protocol', ports({ protocol: 'tcp', port: 80 }), 'spec.ingress[0].ports[0].protocol: unsupported value "tcp": must be one of TCP, UDP, SCTP'],
    ['port 0', ports({ port: 0 }), 'spec.ingress[0].ports[0].port: must be between 1 and 65535, not 0'],
    ['port too big', ports({ port: 70000 }), 'spec.ingress[0].ports[0].port: must be between 1 and 65535, not 70000'],
    ['quoted port number', ports({ port: '80' }), 'spec.ingress[0].ports[0].port: "80" must contain at least one letter (a port number must not be quoted)'],
    ['bad port name', ports({ port: 'HTTP' }), 'spec.ingress[0].ports[0].port:'],
    ['endPort without port', ports({ endPort: 90 }), 'spec.ingress[0].ports[0].endPort: may not be specified when port is not specified'],
    ['endPort below port', { egress: [{ ports: [{ port: 90, endPort: 80 }] }] }, 'spec.egress[0].ports[0].endPort: must be greater than or equal to port (90)'],
    ['endPort with a named port', ports({ port: 'http', endPort: 90 }), 'spec.ingress[0].ports[0].endPort: may not be specified when port is a named port (http)'],
    ['endPort too big', ports({ port: 80, endPort: 65536 }), 'spec.ingress[0].ports[0].endPort: must be between 1 and 65535, not 65536'],
  ];
  for (const [name, spec, want] of INVALID) {
    it(`rejects ${name}`, () => {
      const got = check(spec);
      assert.ok(got?.startsWith(at + want), `got ${got}\nwant ${at}${want}`);
    });
  }

  it('defaults as the API server does: policyTypes from the rules, protocol TCP, podSelector {}', () => {
    const given = policy({ egress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 80 }] }], ingress: [null] });
    const before = structuredClone(given);
    assert.deepEqual(defaultNetworkPolicy(given).spec, {
      podSelector: {}, policyTypes: ['Ingress', 'Egress'],
      egress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 80, protocol: 'TCP' }] }], ingress: [null],
    });
    assert.deepEqual(given, before, 'the input is left alone');
    assert.deepEqual(defaultNetworkPolicy(policy(undefined)).spec, { podSelector: {}, policyTypes: ['Ingress'] });
    assert.deepEqual(defaultNetworkPolicy(policy({ egress: [] })).spec, { podSelector: {}, policyTypes: ['Ingress'], egress: [] });
    assert.deepEqual(defaultNetworkPolicy(policy({ policyTypes: ['Egress'] })).spec, { podSelector: {}, policyTypes: ['Egress'] });
    const [loaded] = defaultObjects([{ object: policy({ podSelector: { matchLabels: { a: 'b' } } }), source: src }], new KindRegistry(networkPolicyKinds));
    assert.deepEqual(loaded.object.spec, { podSelector: { matchLabels: { a: 'b' } }, policyTypes: ['Ingress'] });
  });

  it('is called by validateObjects for NetworkPolicy documents', () => {
    const obj = policy(ports({ port: 80, endPort: 79 }));
    assert.throws(() => validateObjects([{ object: obj, source: src }], new Set(['x']), new KindRegistry([...coreKinds, ...networkPolicyKinds])), /spec\.ingress\[0\]\.ports\[0\]\.endPort: must be greater than or equal to port \(80\)/);
  });
});
