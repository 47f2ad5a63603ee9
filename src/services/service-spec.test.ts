import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorsFor, ManifestError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { coreKinds } from '../api/core-kinds.js';
import { KindRegistry } from '../api/registry.js';
import { validateObjects } from '../api/validate.js';
import { validateEndpointSlice } from './endpointslice-spec.js';
import { serviceKinds, validateService } from './service-spec.js';
import { specialIPProblem } from './spec-checks.js';

function service(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec };
}
const base = (): Record<string, unknown> => ({ selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] });

function check(obj: KubeObject): void {
  const err = errorsFor(obj, { file: 'svc.yaml', doc: 0 });
  if (obj.kind === 'Service') validateService(obj, err);
  else validateEndpointSlice(obj, err);
}

/** Asserts that `obj` fails on `field` with a problem containing `text`, as one line naming file and object. */
function fails(obj: KubeObject, field: string, text: string, name: string): void {
  assert.throws(() => check(obj), (e: unknown) => {
    assert.ok(e instanceof ManifestError, `${name}: ${String(e)}`);
    assert.equal(e.field, field, `${name}: ${e.message}`);
    assert.ok(e.problem.includes(text), `${name}: "${e.problem}" lacks "${text}"`);
    assert.ok(e.message.startsWith(`svc.yaml: ${obj.kind} shop/`), e.message);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
}

describe('validateService accepts', () => {
  const ok: [string, Record<string, unknown>][] = [
    ['the minimal Service', { ports: [{ port: 80 }] }],
    ['a named targetPort', base()],
    ['headless without ports', { clusterIP: 'None', selector: { app: 'web' } }],
    ['ExternalName with a trailing dot', { type: 'ExternalName', externalName: 'db.example.com.' }],
    ['dual-stack fixed IPs', { ...base(), clusterIP: '10.96.0.50', clusterIPs: ['10.96.0.50', 'fd00::50'], ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' }],
    ['NodePort with fixed ports', { type: 'NodePort', ports: [{ name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }, { name: 'dns-tcp', port: 53, nodePort: 30053 }] }],
    ['LoadBalancer with Local policy and a health check port', { ...base(), type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, loadBalancerIP: '172.18.0.241', loadBalancerSourceRanges: [' 10.0.0.0/8'] }],
    ['ClientIP affinity with a timeout', { ...base(), sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86400 } } }],
    ['externalIPs with a traffic policy', { ...base(), externalIPs: ['192.0.2.7'], externalTrafficPolicy: 'Local' }],
    ['targetPort 0 and "" (defaulted to port)', { ports: [{ name: 'a', port: 80, targetPort: 0 }, { name: 'b', port: 81, targetPort: '' }] }],
    ['the same port number on two protocols', { ports: [{ name: 'a', port: 53 }, { name: 'b', port: 53, protocol: 'UDP' }] }],
  ];
  for (const [name, spec] of ok) it(name, () => check(service(spec)));
});

describe('validateService rejects', () => {
  /** [case, spec, field, text]. */
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['spec not a mapping', 'x' as unknown as Record<string, unknown>, 'spec', 'must be a mapping'],
    ['unknown type', { ...base(), type: 'Ingress' }, 'spec.type', 'unsupported value "Ingress": must be one of ClusterIP, NodePort, LoadBalancer, ExternalName'],
    ['no ports', { selector: { app: 'web' } }, 'spec.ports', 'required'],
    ['ports not a list', { ports: { port: 80 } }, 'spec.ports', 'must be a list'],
    ['port not a mapping', { ports: [80] }, 'spec.ports[0]', 'must be a mapping'],
    ['port 0', { ports: [{ port: 0 }] }, 'spec.ports[0].port', 'between 1 and 65535, not 0'],
    ['port too big', { ports: [{ port: 70000 }] }, 'spec.ports[0].port', 'not 70000'],
    ['port as string', { ports: [{ port: '80' }] }, 'spec.ports[0].port', 'not "80"'],
    ['bad protocol', { ports: [{ port: 80, protocol: 'tcp' }] }, 'spec.ports[0].protocol', 'must be one of TCP, UDP, SCTP'],
    ['unnamed among two', { ports: [{ name: 'a', port: 80 }, { port: 81 }] }, 'spec.ports[1].name', 'required when a Service has more than one port'],
    ['bad port name', { ports: [{ name: 'HTTP', port: 80 }] }, 'spec.ports[0].name', 'must be a DNS label'],
    ['duplicate port name', { ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] }, 'spec.ports[1].name', 'duplicate port name "a"'],
    ['duplicate port and protocol', { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80, protocol: 'TCP' }] }, 'spec.ports[1]', 'duplicate port 80/TCP'],
    ['targetPort out of range', { ports: [{ port: 80, targetPort: 65536 }] }, 'spec.ports[0].targetPort', 'not 65536'],
    ['targetPort quoted number', { ports: [{ port: 80, targetPort: '8080' }] }, 'spec.ports[0].targetPort', 'must contain at least one letter'],
    ['targetPort name too long', { ports: [{ port: 80, targetPort: 'a-very-long-port-name' }] }, 'spec.ports[0].targetPort', 'no more than 15 characters'],
    ['targetPort not a scalar', { ports: [{ port: 80, targetPort: [1] }] }, 'spec.ports[0].targetPort', 'must be a port number or a port name'],
    ['nodePort on ClusterIP', { ports: [{ port: 80, nodePort: 30080 }] }, 'spec.ports[0].nodePort', "may not be used when `type` is 'ClusterIP'"],
    ['nodePort out of range', { type: 'NodePort', ports: [{ port: 80, nodePort: 70000 }] }, 'spec.ports[0].nodePort', 'not 70000'],
    ['duplicate nodePort', { type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30080 }, { name: 'b', port: 81, nodePort: 30080 }] }, 'spec.ports[1].nodePort', 'duplicate nodePort 30080/TCP'],
    ['bad appProtocol', { ports: [{ port: 80, appProtocol: 'a b' }] }, 'spec.ports[0].appProtocol', 'name part'],
    ['bad selector value', { ...base(), selector: { app: 'a b' } }, 'spec.selector.app', 'invalid value'],
    ['numeric selector value', { ...base(), selector: { v: 1 } }, 'spec.selector.v', 'must be a string'],
    ['clusterIP not a string', { ...base(), clusterIP: 5 }, 'spec.clusterIP', 'must be a string'],
    ['clusterIP not an IP', { ...base(), clusterIP: '10.96.0' }, 'spec.clusterIP', '"10.96.0" must be a valid IP address'],
    ['clusterIPs without clusterIP', { ...base(), clusterIPs: ['10.96.0.5'] }, 'spec.clusterIPs', 'must be empty when `clusterIP` is not specified'],
    ['clusterIPs[0] differs', { ...base(), clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.6'] }, 'spec.clusterIPs', 'first value must match `clusterIP`'],
    ['clusterIPs not strings', { ...base(), clusterIP: '10.96.0.5', clusterIPs: [1] }, 'spec.clusterIPs', 'must be a list of strings'],
    ['three clusterIPs', { ...base(), clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', 'fd00::5', '10.96.0.6'] }, 'spec.clusterIPs', 'up to 2 values'],
    ['None with another', { ...base(), clusterIP: 'None', clusterIPs: ['None', 'fd00::5'] }, 'spec.clusterIPs', "'None' must be the first and only value"],
    ['bad secondary IP', { ...base(), clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', 'fd00::zz'] }, 'spec.clusterIPs[1]', 'must be a valid IP address'],
    ['two IPv4 clusterIPs', { ...base(), clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', '10.96.0.6'] }, 'spec.clusterIPs', 'no more than one IP for each IP family'],
    ['headless NodePort', { ...base(), type: 'NodePort', clusterIP: 'None' }, 'spec.clusterIP', "may not be set to 'None' for NodePort services"],
    ['headless LoadBalancer', { ...base(), type: 'LoadBalancer', clusterIP: 'None' }, 'spec.clusterIP', "may not be set to 'None' for LoadBalancer services"],
    ['ExternalName with clusterIP', { type: 'ExternalName', externalName: 'x.example', clusterIP: '10.96.0.5' }, 'spec.clusterIP', 'may not be set for ExternalName services'],
    ['ExternalName with ipFamilies', { type: 'ExternalName', externalName: 'x.example', ipFamilies: ['IPv4'] }, 'spec.ipFamilies', 'may not be set for ExternalName'],
    ['ExternalName with ipFamilyPolicy', { type: 'ExternalName', externalName: 'x.example', ipFamilyPolicy: 'SingleStack' }, 'spec.ipFamilyPolicy', 'may not be set for ExternalName'],
    ['ExternalName without a name', { type: 'ExternalName' }, 'spec.externalName', 'required for ExternalName services'],
    ['ExternalName of only a dot', { type: 'ExternalName', externalName: '.' }, 'spec.externalName', 'required'],
    ['ExternalName not a DNS name', { type: 'ExternalName', externalName: 'Bad_Name.example' }, 'spec.externalName', 'must be a DNS subdomain'],
    ['nodePort on ExternalName', { type: 'ExternalName', externalName: 'x.example', ports: [{ port: 80, nodePort: 30080 }] }, 'spec.ports[0].nodePort', "'ExternalName'"],
    ['bad sessionAffinity', { ...base(), sessionAffinity: 'Cookie' }, 'spec.sessionAffinity', 'must be one of None, ClientIP'],
    ['affinity config with None', { ...base(), sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } } }, 'spec.sessionAffinityConfig', 'must not be set when session affinity is None'],
    ['affinity config not a mapping', { ...base(), sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: 5 } }, 'spec.sessionAffinityConfig', 'must be a mapping'],
    ['affinity timeout 0', { ...base(), sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } }, 'spec.sessionAffinityConfig.clientIP.timeoutSeconds', 'between 1 and 86400, not 0'],
    ['affinity timeout over a day', { ...base(), sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } }, 'spec.sessionAffinityConfig.clientIP.timeoutSeconds', 'not 86401'],
    ['bad ipFamilyPolicy', { ...base(), ipFamilyPolicy: 'DualStack' }, 'spec.ipFamilyPolicy', 'must be one of SingleStack, PreferDualStack, RequireDualStack'],
    ['ipFamilies not a list', { ...base(), ipFamilies: 'IPv4' }, 'spec.ipFamilies', 'must be a list'],
    ['bad ipFamily', { ...base(), ipFamilies: ['ipv4'] }, 'spec.ipFamilies[0]', 'must be one of IPv4, IPv6'],
    ['duplicate ipFamily', { ...base(), ipFamilies: ['IPv4', 'IPv4'] }, 'spec.ipFamilies[1]', 'duplicate value "IPv4"'],
    ['clusterIP of the wrong family', { ...base(), clusterIP: 'fd00::5', ipFamilies: ['IPv4'] }, 'spec.clusterIP', 'expected an IPv4 value as indicated by `ipFamilies[0]`'],
    ['families in the other order', { ...base(), clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', 'fd00::5'], ipFamilies: ['IPv6', 'IPv4'] }, 'spec.clusterIP', 'expected an IPv6 value'],
    ['three ipFamilies', { ...base(), ipFamilies: ['IPv4', 'IPv6', 'IPv7'] }, 'spec.ipFamilies[2]', 'must be one of IPv4, IPv6'],
    ['externalTrafficPolicy on ClusterIP', { ...base(), externalTrafficPolicy: 'Local' }, 'spec.externalTrafficPolicy', 'may only be set for externally-accessible services'],
    ['bad externalTrafficPolicy', { ...base(), type: 'NodePort', externalTrafficPolicy: 'Global' }, 'spec.externalTrafficPolicy', 'must be one of Cluster, Local'],
    ['bad internalTrafficPolicy', { ...base(), internalTrafficPolicy: 'Node' }, 'spec.internalTrafficPolicy', 'must be one of Cluster, Local'],
    ['healthCheckNodePort without Local', { ...base(), type: 'LoadBalancer', healthCheckNodePort: 32000 }, 'spec.healthCheckNodePort', "`externalTrafficPolicy` is 'Local'"],
    ['healthCheckNodePort out of range', { ...base(), type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: -1 }, 'spec.healthCheckNodePort', 'not -1'],
    ['externalIPs not a list', { ...base(), externalIPs: '192.0.2.1' }, 'spec.externalIPs', 'must be a list'],
    ['loopback externalIP', { ...base(), externalIPs: ['127.0.0.1'] }, 'spec.externalIPs[0]', 'loopback'],
    ['bad externalIP', { ...base(), externalIPs: ['192.0.2'] }, 'spec.externalIPs[0]', 'must be a valid IP address'],
    ['bad loadBalancerIP', { ...base(), type: 'LoadBalancer', loadBalancerIP: 'lb.example' }, 'spec.loadBalancerIP', 'must be a valid IP address'],
    ['source ranges on ClusterIP', { ...base(), loadBalancerSourceRanges: ['10.0.0.0/8'] }, 'spec.loadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"],
    ['source ranges not a list', { ...base(), type: 'LoadBalancer', loadBalancerSourceRanges: '10.0.0.0/8' }, 'spec.loadBalancerSourceRanges', 'must be a list'],
    ['bad source range', { ...base(), type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0'] }, 'spec.loadBalancerSourceRanges[0]', 'must be a CIDR'],
    ['allocateLoadBalancerNodePorts on NodePort', { ...base(), type: 'NodePort', allocateLoadBalancerNodePorts: false }, 'spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"],
    ['allocateLoadBalancerNodePorts not boolean', { ...base(), type: 'LoadBalancer', allocateLoadBalancerNodePorts: 'no' }, 'spec.allocateLoadBalancerNodePorts', 'must be true or false'],
    ['publishNotReadyAddresses not boolean', { ...base(), publishNotReadyAddresses: 'yes' }, 'spec.publishNotReadyAddresses', 'must be true or false'],
  ];
  for (const [name, spec, field, text] of cases) it(name, () => fails(service(spec), field, text, name));
});

describe('validateObjects checks Services and EndpointSlices', () => {
  const kinds = new KindRegistry([...coreKinds, ...serviceKinds]);
  it('names the file, object and field', () => {
    const objects = [{ object: service({ ports: [{ port: 0 }] }), source: { file: 'app.yaml', doc: 0 } }];
    assert.throws(() => validateObjects(objects, new Set(['shop']), kinds), { message: 'app.yaml: Service shop/web: spec.ports[0].port: must be an integer between 1 and 65535, not 0' });
    const slice = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-1', namespace: 'shop' }, addressType: 'IP' };
    assert.throws(() => validateObjects([{ object: slice, source: { file: 'app.yaml', doc: 1 } }], new Set(['shop']), kinds), { field: 'addressType' });
  });
  it('uses DNS-1035 labels for Service names (they become DNS labels), DNS subdomains for slices', () => {
    const named = (kind: string, name: string): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'default' } });
    assert.throws(() => validateObjects([{ object: named('Service', '1web'), source: { file: 'app.yaml', doc: 0 } }], new Set(), kinds),
      { field: 'metadata.name', object: 'Service default/1web', message: /^app\.yaml: Service default\/1web: metadata\.name: / });
    assert.throws(() => validateObjects([{ object: named('Service', 'a.b'), source: { file: 'app.yaml', doc: 0 } }], new Set(), kinds), { field: 'metadata.name' });
    const slice = { ...endpointSlice({}), metadata: { name: 'web.1', namespace: 'shop' } };
    validateObjects([{ object: slice, source: { file: 'app.yaml', doc: 0 } }], new Set(['shop']), kinds);
  });
});

function endpointSlice(fields: Record<string, unknown>): KubeObject {
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-1', namespace: 'shop' }, addressType: 'IPv4', ...fields };
}

describe('validateEndpointSlice', () => {
  it('accepts a user-written slice of each address type', () => {
    check(endpointSlice({
      endpoints: [{ addresses: ['192.0.2.10'], conditions: { ready: true, serving: null }, hostname: 'db-0', nodeName: 'node-1', zone: 'a' }],
      ports: [{ name: 'sql', port: 5432, protocol: 'TCP', appProtocol: 'postgresql' }, { port: 5433 }],
    }));
    check(endpointSlice({ addressType: 'IPv6', endpoints: [{ addresses: ['2001:db8::10'] }] }));
    check(endpointSlice({ addressType: 'FQDN', endpoints: [{ addresses: ['db.example.com'] }] }));
    check(endpointSlice({ endpoints: [] }));
  });

  const many = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['no addressType', { addressType: undefined }, 'addressType', 'required'],
    ['deprecated IP addressType', { addressType: 'IP' }, 'addressType', 'must be one of IPv4, IPv6, FQDN'],
    ['endpoints not a list', { endpoints: {} }, 'endpoints', 'must be a list'],
    ['too many endpoints', { endpoints: many(1001, () => ({ addresses: ['192.0.2.1'] })) }, 'endpoints', 'at most 1000'],
    ['endpoint not a mapping', { endpoints: ['192.0.2.1'] }, 'endpoints[0]', 'must be a mapping'],
    ['no addresses', { endpoints: [{ addresses: [] }] }, 'endpoints[0].addresses', 'at least 1 address'],
    ['too many addresses', { endpoints: [{ addresses: many(101, (i) => `192.0.2.${i}`) }] }, 'endpoints[0].addresses', 'at most 100'],
    ['IPv6 in an IPv4 slice', { endpoints: [{ addresses: ['2001:db8::1'] }] }, 'endpoints[0].addresses[0]', 'must be a valid IPv4 address'],
    ['IPv4 in an IPv6 slice', { addressType: 'IPv6', endpoints: [{ addresses: ['192.0.2.1'] }] }, 'endpoints[0].addresses[0]', 'must be a valid IPv6 address'],
    ['address not a string', { endpoints: [{ addresses: [1] }] }, 'endpoints[0].addresses[0]', 'must be a string'],
    ['link-local endpoint', { endpoints: [{ addresses: ['169.254.169.254'] }] }, 'endpoints[0].addresses[0]', 'link-local'],
    ['unqualified FQDN', { addressType: 'FQDN', endpoints: [{ addresses: ['db'] }] }, 'endpoints[0].addresses[0]', 'fully qualified'],
    ['bad FQDN', { addressType: 'FQDN', endpoints: [{ addresses: ['DB.example'] }] }, 'endpoints[0].addresses[0]', 'must be a DNS subdomain'],
    ['conditions not a mapping', { endpoints: [{ addresses: ['192.0.2.1'], conditions: true }] }, 'endpoints[0].conditions', 'must be a mapping'],
    ['ready not boolean', { endpoints: [{ addresses: ['192.0.2.1'], conditions: { ready: 'yes' } }] }, 'endpoints[0].conditions.ready', 'must be true or false'],
    ['bad hostname', { endpoints: [{ addresses: ['192.0.2.1'], hostname: 'db.0' }] }, 'endpoints[0].hostname', 'must be a DNS label'],
    ['bad nodeName', { endpoints: [{ addresses: ['192.0.2.1'], nodeName: 'Node_1' }] }, 'endpoints[0].nodeName', 'must be a DNS subdomain'],
    ['nodeName not a string', { endpoints: [{ addresses: ['192.0.2.1'], nodeName: 1 }] }, 'endpoints[0].nodeName', 'must be a string'],
    ['zone not a string', { endpoints: [{ addresses: ['192.0.2.1'], zone: 1 }] }, 'endpoints[0].zone', 'must be a string'],
    ['ports not a list', { ports: {} }, 'ports', 'must be a list'],
    ['too many ports', { ports: many(101, (i) => ({ name: `p${i}`, port: 1000 + i })) }, 'ports', 'at most 100'],
    ['port not a mapping', { ports: [80] }, 'ports[0]', 'must be a mapping'],
    ['bad port name', { ports: [{ name: 'Web', port: 80 }] }, 'ports[0].name', 'must be a DNS label'],
    ['port name not a string', { ports: [{ name: 1, port: 80 }] }, 'ports[0].name', 'must be a string'],
    ['two unnamed ports', { ports: [{ port: 80 }, { port: 81 }] }, 'ports[1].name', 'duplicate port name ""'],
    ['bad protocol', { ports: [{ port: 80, protocol: 'HTTP' }] }, 'ports[0].protocol', 'must be one of TCP, UDP, SCTP'],
    ['bad port', { ports: [{ port: 0 }] }, 'ports[0].port', 'not 0'],
    ['bad appProtocol', { ports: [{ port: 80, appProtocol: 'a/b/c' }] }, 'ports[0].appProtocol', 'qualified name'],
  ];
  for (const [name, fields, field, text] of cases) it(`rejects: ${name}`, () => fails(endpointSlice(fields), field, text, name));
});

describe('specialIPProblem', () => {
  it('refuses the addresses the API server refuses, in both families', () => {
    const cases: [string, string | undefined][] = [
      ['0.0.0.0', 'unspecified'], ['::', 'unspecified'], ['127.0.0.5', 'loopback'], ['::1', 'loopback'],
      ['169.254.1.1', 'link-local range'], ['fe80::1', 'link-local range'], ['febf::1', 'link-local range'],
      ['224.0.0.251', 'link-local multicast'], ['ff02::fb', 'link-local multicast'], ['x', 'valid IP address'],
      ['10.0.0.1', undefined], ['fec0::1', undefined], ['fe8::1', undefined], ['224.0.1.1', undefined], ['2001:db8::1', undefined],
    ];
    for (const [ip, want] of cases) {
      const got = specialIPProblem(ip);
      if (want === undefined) assert.equal(got, undefined, ip);
      else assert.ok(got?.includes(want), `${ip}: ${got}`);
    }
  });
});
