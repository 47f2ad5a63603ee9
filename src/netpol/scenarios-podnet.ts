// podnet's own scenarios on the same grid, for clauses the upstream suite leaves out or tests only
// indirectly: endPort ranges, policyTypes defaulting, NotIn/Exists/DoesNotExist, ipBlock on ingress
// and with ports, named UDP ports on egress, and an address inside one policy's except but allowed
// by another policy (the union).
import {
  ALL, at, egress, expr, fixed, from, ingress, labels, nsIs, onPorts, podIs, policy, port, to, type Scenario,
} from './scenario-kit.js';

export const PODNET_SCENARIOS: Scenario[] = [
  { name: 'endPort: an ingress port range 81-90 opens 81, not 80', source: 'podnet',
    policies: fixed([ingress('x', 'allow-81-90', podIs('a'), onPorts({}, port(81, 'TCP', 90)))]),
    cases: [at(81, 'TCP'), at(80, 'TCP', '* -> x/a X')] },
  { name: 'endPort: an egress UDP range 80-81 allows UDP only', source: 'podnet',
    policies: fixed([egress('x', 'allow-udp-80-81', ALL, onPorts({}, port(80, 'UDP', 81)))]),
    cases: [at(80, 'UDP'), at(81, 'UDP'), at(80, 'TCP', 'x/* -> * X')] },
  { name: 'policyTypes omitted with egress rules: the policy isolates ingress and egress', source: 'podnet',
    policies: fixed([policy('x', 'egress-rules-only', { podSelector: podIs('a'), egress: [to({ namespaceSelector: nsIs('y') })] })]),
    cases: [at(80, 'TCP', '* -> x/a X', 'x/a -> * X', 'x/a -> y/* .')] },
  { name: 'policyTypes omitted with an empty egress list: ingress only', source: 'podnet',
    policies: fixed([policy('x', 'ingress-rules-only', { podSelector: podIs('a'), ingress: [from({ podSelector: podIs('b') })], egress: [] })]),
    cases: [at(80, 'TCP', '* -> x/a X', 'x/b -> x/a .')] },
  { name: 'podSelector NotIn across all namespaces', source: 'podnet',
    policies: fixed([ingress('x', 'not-from-b', podIs('a'), from({ namespaceSelector: ALL, podSelector: expr('pod', 'NotIn', ['b']) }))]),
    cases: [at(80, 'TCP', '*/b -> x/a X')] },
  { name: 'namespaceSelector DoesNotExist on ingress, Exists on egress', source: 'podnet',
    namespaceLabels: { y: { team: 'blue' } },
    policies: fixed([
      ingress('x', 'not-from-teams', podIs('a'), from({ namespaceSelector: expr('team', 'DoesNotExist') })),
      egress('x', 'only-to-teams', podIs('b'), to({ namespaceSelector: expr('team', 'Exists') })),
    ]),
    cases: [at(80, 'TCP', 'y/* -> x/a X', 'x/b -> * X', 'x/b -> y/* .')] },
  { name: 'egress ipBlock everything except one pod, on one port', source: 'podnet',
    policies: (ctx) => [egress('z', 'all-but-y-a-on-80', podIs('c'), onPorts(to({ ipBlock: { cidr: ctx.cidr('y/a', 0), except: [ctx.cidr('y/a', 'host')] } }), port(80, 'TCP')))],
    cases: [at(80, 'TCP', 'z/c -> y/a X'), at(81, 'TCP', 'z/c -> * X')] },
  { name: 'egress to a named UDP port', source: 'podnet',
    policies: fixed([egress('x', 'named-udp', ALL, onPorts({}, port('serve-81-udp', 'UDP')))]),
    cases: [at(81, 'UDP'), at(80, 'UDP', 'x/* -> * X'), at(81, 'TCP', 'x/* -> * X')] },
  { name: 'ingress from an ipBlock holding one pod', source: 'podnet',
    policies: (ctx) => [ingress('y', 'from-x-a-by-address', podIs('c'), from({ ipBlock: { cidr: ctx.cidr('x/a', 'host') } }))],
    cases: [at(80, 'TCP', '* -> y/c X', 'x/a -> y/c .')] },
  { name: 'an address in one policy\'s except is allowed by another policy (union)', source: 'podnet',
    policies: (ctx) => [
      egress('x', 'wide-except-x-b', podIs('a'), to({ ipBlock: { cidr: ctx.cidr('x/b', 4), except: [ctx.cidr('x/b', 'host')] } })),
      egress('x', 'just-x-b', podIs('a'), to({ ipBlock: { cidr: ctx.cidr('x/b', 'host') } })),
    ],
    cases: [at(80, 'TCP')] },
  { name: 'rule with peers and ports: both must match', source: 'podnet',
    policies: fixed([ingress('z', 'y-on-81', ALL, onPorts(from({ namespaceSelector: nsIs('y') }), port(81, 'TCP')), onPorts(from({ podSelector: podIs('a') }), port(80, 'TCP')))]),
    cases: [at(81, 'TCP', '* -> z/* X', 'y/* -> z/* .'), at(80, 'TCP', '* -> z/* X', 'z/a -> z/* .')] },
  { name: 'policies in two namespaces: egress from y and ingress to z both apply', source: 'podnet',
    policies: fixed([
      egress('y', 'y-to-z-only', ALL, to({ namespaceSelector: nsIs('z') })),
      ingress('z', 'z-from-y-b-only', ALL, from({ namespaceSelector: labels({ ns: 'y' }), podSelector: podIs('b') })),
    ]),
    cases: [at(80, 'TCP', 'y/* -> * X', 'y/* -> z/* .', '* -> z/* X', 'y/b -> z/* .', 'y/a -> z/* X', 'y/c -> z/* X')] },
];
