// Unit tests of the pieces that need no root: config validation, env, version conversion, error
// mapping, framing, the link plan, and the verbs that touch nothing (VERSION, early errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetConf } from './netconf.js';
import { parseEnv } from './env.js';
import { convertResult, parseResult } from './version.js';
import { CniError, toCniError } from './errors.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from './framing.js';
import { handleCni } from './plugin.js';
import { hostVethName, macForIp, nodeLines, nodeNeighDelLines, podLines, bridgeLines, bridgeSysctls } from './link/plan.js';
import { nodeConflist } from './config.js';
import { CommandError } from '../sys/exec.js';

const base = {
  cniVersion: '1.0.0',
  name: 'n',
  type: 'podnet',
  bridge: 'cni0',
  ipam: { type: 'podnet', ranges: [[{ subnet: '10.244.1.0/24' }]], dataDir: '/run/x' },
};
const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'abc', CNI_NETNS: '/run/netns/p', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin' };

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as CniError).code;
  }
  return 0;
};

test('network config validation: spec codes per failure', () => {
  const c = parseNetConf(JSON.stringify(base));
  assert.equal(c.mtu, 1500);
  assert.equal(c.hairpinMode, false);
  const cases: [unknown, number][] = [
    ['{', 6],
    ['[1]', 6],
    [{ ...base, cniVersion: '0.2.0' }, 1],
    [{ ...base, cniVersion: undefined }, 7],
    [{ ...base, name: '' }, 7],
    [{ ...base, mtu: 10 }, 7],
    [{ ...base, bridge: 'a-very-long-bridge-name' }, 7],
    [{ ...base, ipam: undefined }, 7],
    [{ ...base, ipam: { ...base.ipam, dataDir: 'relative' } }, 7],
    [{ ...base, ipam: { ...base.ipam, routes: [{ dst: 'x' }] } }, 7],
    [{ ...base, ipam: { type: '../evil' } }, 7],
    [{ ...base, 'cni.dev/valid-attachments': [{ containerID: 1 }] }, 7],
  ];
  for (const [input, code] of cases) {
    assert.equal(codeOf(() => parseNetConf(typeof input === 'string' ? input : JSON.stringify(input))), code, JSON.stringify(input));
  }
  assert.equal((parseNetConf(JSON.stringify({ ...base, ipam: { type: 'host-local' } })).ipam as { raw: unknown }).raw !== undefined, true);
});

test('environment: required variables per verb, CNI_ARGS, validation', () => {
  const e = parseEnv({ ...env, CNI_ARGS: 'K8S_POD_NAME=web;K8S_POD_NAMESPACE=default', CNI_PATH: '/a:/b' });
  assert.deepEqual(e.args, { K8S_POD_NAME: 'web', K8S_POD_NAMESPACE: 'default' });
  assert.deepEqual(e.path, ['/a', '/b']);
  assert.equal(codeOf(() => parseEnv({ ...env, CNI_NETNS: '' })), 4);
  assert.equal(parseEnv({ ...env, CNI_COMMAND: 'DEL', CNI_NETNS: '' }).netns, '');
  assert.equal(codeOf(() => parseEnv({ ...env, CNI_COMMAND: 'NOPE' })), 4);
  assert.equal(codeOf(() => parseEnv({ ...env, CNI_CONTAINERID: '../x' })), 4);
  assert.equal(codeOf(() => parseEnv({ ...env, CNI_IFNAME: 'a/b' })), 4);
  assert.equal(codeOf(() => parseEnv({ ...env, CNI_IFNAME: 'x'.repeat(16) })), 4);
  assert.equal(codeOf(() => parseEnv({ ...env, CNI_ARGS: 'novalue' })), 4);
  assert.equal(parseEnv({ CNI_COMMAND: 'VERSION' }).command, 'VERSION');
  assert.equal(parseEnv({ CNI_COMMAND: 'GC', CNI_PATH: '/x' }).command, 'GC');
});

test('result conversion per version', () => {
  const r = {
    interfaces: [{ name: 'eth0', mac: '0a:58:0a:f4:01:02', sandbox: '/run/netns/p' }],
    ips: [{ address: '10.244.1.2/24', gateway: '10.244.1.1', interface: 0 }, { address: 'fd00::2/64', gateway: 'fd00::1', interface: 0 }],
    routes: [{ dst: '0.0.0.0/0', gw: '10.244.1.1' }],
    dns: {},
  };
  for (const v of ['0.3.0', '0.3.1', '0.4.0']) {
    const out = convertResult(r, v) as { cniVersion: string; ips: { version: string }[] };
    assert.equal(out.cniVersion, v);
    assert.deepEqual(out.ips.map((i) => i.version), ['4', '6']);
  }
  for (const v of ['1.0.0', '1.1.0']) {
    const out = convertResult(r, v) as { ips: Record<string, unknown>[] };
    assert.ok(out.ips.every((i) => !('version' in i)));
  }
  // Round trip through an old version.
  assert.deepEqual(parseResult(convertResult(r, '0.3.1')), r);
  assert.throws(() => parseResult({ cniVersion: '0.2.0', ip4: {} }), (e: unknown) => e instanceof CniError && e.code === 1);
});

test('error mapping: typed errors keep their code, host failures are I/O (5), the rest 100', () => {
  assert.deepEqual(toCniError(new CniError(7, 'bad', 'why'), '1.0.0'), { cniVersion: '1.0.0', code: 7, msg: 'bad', details: 'why' });
  assert.equal(toCniError(new CommandError(['ip', 'link'], 2, 'RTNETLINK answers: File exists'), '1.0.0').code, 5);
  assert.equal(toCniError(Object.assign(new Error('x'), { code: 'EACCES' }), '1.0.0').code, 5);
  assert.equal(toCniError(new TypeError('oops'), '0.4.0').code, 100);
  assert.equal(toCniError('str', '0.4.0').msg, 'str');
});

test('framing: request and response round trip, partial input rejected', () => {
  const req = { env: { CNI_COMMAND: 'ADD', CNI_ARGS: 'A=1;B=2=3', PATH: '/bin' }, stdin: '{"x":"ü\\u0000"}' };
  assert.deepEqual(decodeRequest(encodeRequest(req)), req);
  assert.equal(decodeRequest(Buffer.from('CNI_COMMAND=ADD\0')), undefined);
  assert.deepEqual(decodeRequest(Buffer.from('\0{}')), { env: {}, stdin: '{}' });
  assert.deepEqual(decodeResponse(encodeResponse({ exitCode: 7, stdout: '{"a":1}\n' })), { exitCode: 7, stdout: '{"a":1}\n' });
  assert.equal(decodeResponse(Buffer.from('x\n')), undefined);
});

test('handleCni: VERSION and early errors without touching the host', async () => {
  const v = await handleCni({ env: { CNI_COMMAND: 'VERSION' }, stdin: '{"cniVersion":"0.4.0"}' });
  assert.deepEqual(JSON.parse(v.stdout), { cniVersion: '0.4.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] });
  const cases: [Record<string, string>, string, number][] = [
    [env, '{oops', 6],
    [{ ...env, CNI_IFNAME: '' }, JSON.stringify(base), 4],
    [env, JSON.stringify({ ...base, cniVersion: '2.0.0' }), 1],
    [{ ...env, CNI_COMMAND: 'CHECK' }, JSON.stringify({ ...base, cniVersion: '0.3.1' }), 1],
    [{ ...env, CNI_COMMAND: 'STATUS' }, JSON.stringify(base), 1],
    [{ ...env, CNI_COMMAND: 'CHECK' }, JSON.stringify(base), 7], // no prevResult
  ];
  for (const [e, stdin, code] of cases) {
    const r = await handleCni({ env: e, stdin });
    const out = JSON.parse(r.stdout) as { code: number; cniVersion: string; msg: string };
    assert.equal(out.code, code, `${e.CNI_COMMAND} ${stdin}: ${out.msg}`);
    assert.equal(r.exitCode, code);
    assert.match(out.cniVersion, /^\d+\.\d+\.\d+$/);
  }
});

test('link plan: deterministic names and MACs, two batches', () => {
  assert.match(hostVethName('abc', 'eth0'), /^veth[0-9a-f]{8}$/);
  assert.equal(hostVethName('abc', 'eth0'), hostVethName('abc', 'eth0'));
  assert.notEqual(hostVethName('abc', 'eth0'), hostVethName('abc', 'eth1'));
  assert.equal(macForIp(['fd00::2', '10.244.1.2']), '0a:58:0a:f4:01:02');
  assert.equal(macForIp(['fd00::1:2']), '0a:58:00:01:00:02');
  const spec = {
    bridge: 'cni0', mtu: 1450, hairpin: true, hostVeth: 'veth01234567', hostMac: '0a:5a:00:00:00:01', ifname: 'eth0',
    podMac: '0a:58:0a:f4:01:02', gatewayMac: '0a:58:0a:f4:01:01', netnsPath: '/run/netns/p',
    ips: [{ address: '10.244.1.2/24', gateway: '10.244.1.1' }, { address: 'fd00::2/64', gateway: 'fd00::1' }],
    routes: [{ dst: '0.0.0.0/0', gw: '10.244.1.1' }],
  };
  assert.deepEqual(nodeLines(spec), [
    'link add veth01234567 mtu 1450 address 0a:5a:00:00:00:01 master cni0 up type veth peer name eth0 mtu 1450 address 0a:58:0a:f4:01:02 netns /run/netns/p',
    'link set veth01234567 type bridge_slave hairpin on',
    // Permanent entries are not counted against the kernel's machine-wide neighbour table limit.
    'neigh replace 10.244.1.2 lladdr 0a:58:0a:f4:01:02 dev cni0 nud permanent',
    'neigh replace fd00::2 lladdr 0a:58:0a:f4:01:02 dev cni0 nud permanent',
  ]);
  // The pod resolves only its gateway (permanently); its subnet goes via the gateway, so it never
  // resolves a same-node peer: O(pods) neighbour entries in the lab, not O(pods²).
  assert.deepEqual(podLines(spec), [
    'link set lo up',
    'addr add 10.244.1.2/24 dev eth0 noprefixroute',
    'addr add fd00::2/64 dev eth0 nodad noprefixroute',
    'link set eth0 up',
    'route add 10.244.1.1/32 dev eth0 scope link',
    'neigh replace 10.244.1.1 lladdr 0a:58:0a:f4:01:01 dev eth0 nud permanent',
    'route add 10.244.1.0/24 via 10.244.1.1 dev eth0 src 10.244.1.2',
    'route add fd00::1/128 dev eth0 scope link',
    'neigh replace fd00::1 lladdr 0a:58:0a:f4:01:01 dev eth0 nud permanent',
    'route add fd00::/64 via fd00::1 dev eth0 src fd00::2',
    'route add 0.0.0.0/0 via 10.244.1.1 dev eth0',
  ]);
  assert.deepEqual(nodeNeighDelLines('cni0', ['10.244.1.2/24', 'fd00::2']), [
    'neigh flush to 10.244.1.2 dev cni0 nud permanent',
    'neigh flush to fd00::2 dev cni0 nud permanent',
  ]);
  // An address without a gateway keeps its connected route (nothing to route it via).
  assert.deepEqual(podLines({ ...spec, ips: [{ address: '10.9.0.2/24' }], routes: [] }), ['link set lo up', 'addr add 10.9.0.2/24 dev eth0', 'link set eth0 up']);
  const b = { name: 'cni0', mtu: 1450, gateways: ['10.244.1.1/24', 'fd00::1/64'] };
  assert.deepEqual(bridgeSysctls(b), {
    'net/ipv4/ip_forward': '1', 'net/ipv4/conf/all/send_redirects': '0', 'net/ipv4/conf/cni0/send_redirects': '0', 'net/ipv6/conf/all/forwarding': '1',
  });
  assert.deepEqual(bridgeSysctls({ ...b, gateways: ['fd00::1/64'] }), { 'net/ipv6/conf/all/forwarding': '1' });
  assert.equal(bridgeLines(b, undefined)[0], 'link add cni0 address 0a:58:0a:f4:01:01 mtu 1450 type bridge');
  assert.deepEqual(bridgeLines(b, { addrs: ['10.244.1.1/24', 'fd00:0::1/64'] }), ['link set cni0 up']);
});

test('nodeConflist: podnet alone speaks 1.1.0, with portmap 1.0.0', () => {
  const l = nodeConflist({ name: 'k', bridge: 'cni0', mtu: 1450, subnets: ['10.244.1.0/24', 'fd00:10:244:1::/64'], dataDir: '/run/podnet/lab/nodes/n1/ipam' });
  assert.equal(l.cniVersion, '1.1.0');
  const p = l.plugins[0] as unknown as { ipam: { ranges: unknown; routes: unknown } };
  assert.deepEqual(p.ipam.ranges, [[{ subnet: '10.244.1.0/24' }], [{ subnet: 'fd00:10:244:1::/64' }]]);
  assert.deepEqual(p.ipam.routes, [{ dst: '0.0.0.0/0' }, { dst: '::/0' }]);
  // The plugin accepts what the lab writes.
  assert.equal(parseNetConf(JSON.stringify({ ...l.plugins[0], cniVersion: l.cniVersion, name: l.name })).bridge, 'cni0');
  const pm = nodeConflist({ name: 'k', bridge: 'cni0', mtu: 1450, subnets: ['10.244.1.0/24'], dataDir: '/d', portmap: true });
  assert.equal(pm.cniVersion, '1.0.0');
  assert.deepEqual(pm.plugins[1], { type: 'portmap', capabilities: { portMappings: true }, snat: true });
});
