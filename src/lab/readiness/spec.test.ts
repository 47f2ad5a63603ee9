import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { V1Container, V1Pod, V1Probe } from '../../api/types.js';
import { containerProbes, killGraceMs, normaliseProbe, probeHeaders, PROBE_USER_AGENT, ProbeSpecError, resolvePort, type ProbeContext } from './spec.js';

// Tests run from dist/src/lab/readiness/; the golden files live in the source tree.
const TESTDATA = new URL('../../../../src/lab/readiness/testdata/', import.meta.url);

const PREFIX = ['nsenter', '--uts=/run/podnet/lab/pods/shop_web/uts', '--', 'ip', 'netns', 'exec', 'pn-lab-p-shop-web'];
const CTX: ProbeContext = { podIP: '10.244.1.7', execPrefix: PREFIX, env: { PATH: '/usr/bin:/bin', HOSTNAME: 'web' } };
const C: V1Container = { name: 'app', image: 'x', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] };

const norm = (probe: V1Probe, kind: 'startup' | 'readiness' | 'liveness' = 'readiness', ctx = CTX) => normaliseProbe(kind, probe, C, ctx, 'spec.containers[0].readinessProbe');
const fails = (fn: () => unknown, message: string) => assert.throws(fn, (e: unknown) => e instanceof ProbeSpecError && e.message === message);

describe('containerProbes golden file', () => {
  it('probes.in.yaml → probes.out.json', () => {
    const pod = parse(readFileSync(new URL('probes.in.yaml', TESTDATA), 'utf8')) as V1Pod;
    const out = (pod.spec?.containers ?? []).map((c, i) => {
      const { probes, errors } = containerProbes(pod, i, { ...CTX, env: { HOSTNAME: 'web' } });
      return { container: c.name, probes, errors: errors.map((e) => e.message) };
    });
    const actual = JSON.stringify(out, null, 2) + '\n';
    const file = new URL('probes.out.json', TESTDATA);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
    assert.equal(actual, readFileSync(file, 'utf8'), `differs from ${file.pathname} (UPDATE_GOLDEN=1 regenerates it)`);
  });
});

describe('normaliseProbe', () => {
  it('applies the API defaults, also to zero values', () => {
    const want = { initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1000, successThreshold: 1, failureThreshold: 3 };
    const { action: _a, ...timing } = norm({ tcpSocket: { port: 8080 } });
    assert.deepEqual(timing, want);
    const { action: _b, ...zeros } = norm({ tcpSocket: { port: 8080 }, periodSeconds: 0, timeoutSeconds: 0, successThreshold: 0, failureThreshold: 0 });
    assert.deepEqual(zeros, want);
    const { action: _c, ...set } = norm({ tcpSocket: { port: 8080 }, initialDelaySeconds: 2, periodSeconds: 1, timeoutSeconds: 3, successThreshold: 2, failureThreshold: 5 });
    assert.deepEqual(set, { initialDelayMs: 2000, periodMs: 1000, timeoutMs: 3000, successThreshold: 2, failureThreshold: 5 });
  });

  it('rejects bad numbers, naming the field', () => {
    fails(() => norm({ tcpSocket: { port: 1 }, periodSeconds: -1 }), 'spec.containers[0].readinessProbe.periodSeconds: must be an integer >= 1, not -1');
    fails(() => norm({ tcpSocket: { port: 1 }, initialDelaySeconds: 1.5 }), 'spec.containers[0].readinessProbe.initialDelaySeconds: must be an integer >= 0, not 1.5');
    fails(() => norm({ tcpSocket: { port: 1 }, successThreshold: 2 }, 'liveness'), 'spec.containers[0].readinessProbe.successThreshold: must be 1 for a liveness probe');
  });

  it('needs exactly one supported handler', () => {
    fails(() => norm({}), 'spec.containers[0].readinessProbe: must specify a handler type (httpGet, tcpSocket, exec or grpc)');
    fails(() => norm({ tcpSocket: { port: 1 }, exec: { command: ['true'] } }), 'spec.containers[0].readinessProbe: may not specify more than 1 handler type (tcpSocket, exec)');
    fails(() => norm({ tcpSocket: { port: 1 }, grpc: { port: 1 } }), 'spec.containers[0].readinessProbe: may not specify more than 1 handler type (tcpSocket, grpc)');
  });

  it('httpGet: host defaults to the pod IP, path gets its slash, scheme is HTTP or HTTPS', () => {
    assert.deepEqual(norm({ httpGet: { port: 'http', path: 'healthz?x=1' } }).action, {
      type: 'http', scheme: 'http', host: '10.244.1.7', port: 8080, path: '/healthz?x=1',
      headers: [['User-Agent', PROBE_USER_AGENT], ['Accept', '*/*']],
    });
    const a = norm({ httpGet: { port: 443, host: 'fd00::5', scheme: 'https' } }).action;
    assert.ok(a.type === 'http' && a.scheme === 'https' && a.host === 'fd00::5' && a.path === '/');
    fails(() => norm({ httpGet: { port: 80, scheme: 'FTP' } }), 'spec.containers[0].readinessProbe.httpGet.scheme: must be HTTP or HTTPS, not "FTP"');
    fails(() => norm({ httpGet: { port: 80 } }, 'readiness', { ...CTX, podIP: undefined }), 'spec.containers[0].readinessProbe.httpGet.host: defaults to the pod IP, but the pod has no IP');
  });

  it('tcpSocket: host and port', () => {
    assert.deepEqual(norm({ tcpSocket: { port: 'http' } }).action, { type: 'tcp', host: '10.244.1.7', port: 8080 });
    assert.deepEqual(norm({ tcpSocket: { port: 22, host: '10.0.0.1' } }).action, { type: 'tcp', host: '10.0.0.1', port: 22 });
  });

  it('grpc: the pod IP, a numeric port, and the service sent as given ("" when unset)', () => {
    assert.deepEqual(norm({ grpc: { port: 9000 } }).action, { type: 'grpc', host: '10.244.1.7', port: 9000, service: '' });
    assert.deepEqual(norm({ grpc: { port: 5000, service: 'shop.v1.Cart' } }, 'liveness').action, { type: 'grpc', host: '10.244.1.7', port: 5000, service: 'shop.v1.Cart' });
    assert.deepEqual(norm({ grpc: { port: 5000, service: '' } }, 'startup').action, { type: 'grpc', host: '10.244.1.7', port: 5000, service: '' });
    // GRPCAction.port is an int32: a container port's name is not looked up, as the API server refuses it.
    fails(() => norm({ grpc: { port: 'http' as unknown as number } }), 'spec.containers[0].readinessProbe.grpc.port: must be a port number (1-65535), not "http"');
    fails(() => norm({ grpc: { port: 0 } }), 'spec.containers[0].readinessProbe.grpc.port: must be a port number (1-65535), not 0');
    fails(() => norm({ grpc: { port: 70000 } }), 'spec.containers[0].readinessProbe.grpc.port: must be a port number (1-65535), not 70000');
    fails(() => norm({ grpc: {} as unknown as { port: number } }), 'spec.containers[0].readinessProbe.grpc.port: must be a port number (1-65535), not undefined');
    fails(() => norm({ grpc: { port: 1, service: 7 as unknown as string } }), 'spec.containers[0].readinessProbe.grpc.service: must be a string, not 7');
    fails(() => norm({ grpc: { port: 9000 } }, 'readiness', { ...CTX, podIP: undefined }), 'spec.containers[0].readinessProbe.grpc: dials the pod IP, but the pod has no IP');
  });

  it('exec: the command enters the pod the way its containers do, with their environment', () => {
    assert.deepEqual(norm({ exec: { command: ['test', '-f', '/tmp/x'] } }).action, { type: 'exec', argv: [...PREFIX, 'test', '-f', '/tmp/x'], env: CTX.env });
    fails(() => norm({ exec: { command: [] } }), 'spec.containers[0].readinessProbe.exec.command: must not be empty');
    fails(() => norm({ exec: { command: ['test', 1 as unknown as string] } }), 'spec.containers[0].readinessProbe.exec.command[1]: must be a string, not 1');
  });
});

describe('resolvePort', () => {
  it('numbers, named container ports, numbers written as strings', () => {
    assert.equal(resolvePort(80, C, 'f'), 80);
    assert.equal(resolvePort('http', C, 'f'), 8080);
    assert.equal(resolvePort('dns', C, 'f'), 53);
    assert.equal(resolvePort('8081', C, 'f'), 8081);
  });

  it('rejects unknown names and out-of-range numbers', () => {
    fails(() => resolvePort('metrics', C, 'f'), 'f: port "metrics" is not a named port of container app');
    fails(() => resolvePort(0, C, 'f'), 'f: must be a port number (1-65535) or a named container port, not 0');
    fails(() => resolvePort(65536, C, 'f'), 'f: must be a port number (1-65535) or a named container port, not 65536');
    fails(() => resolvePort(undefined, C, 'f'), 'f: must be a port number (1-65535) or a named container port, not undefined');
  });
});

describe('probeHeaders', () => {
  it("adds the kubelet's User-Agent and Accept unless given (any case)", () => {
    assert.deepEqual(probeHeaders([{ name: 'user-agent', value: 'me' }, { name: 'X-A', value: '1' }], 'f'), [['user-agent', 'me'], ['X-A', '1'], ['Accept', '*/*']]);
    assert.deepEqual(probeHeaders([{ name: 'ACCEPT', value: 'text/plain' }], 'f'), [['ACCEPT', 'text/plain'], ['User-Agent', PROBE_USER_AGENT]]);
  });

  it('an empty Accept removes the header; repeated names stay in order', () => {
    assert.deepEqual(probeHeaders([{ name: 'Accept', value: '' }], 'f'), [['User-Agent', PROBE_USER_AGENT]]);
    assert.deepEqual(probeHeaders([{ name: 'X', value: '1' }, { name: 'X', value: '2' }], 'f').slice(0, 2), [['X', '1'], ['X', '2']]);
  });

  it('rejects a name that is not an HTTP token', () => {
    fails(() => probeHeaders([{ name: 'ok', value: '' }, { name: 'bad name', value: 'x' }], 'f'), 'f[1].name: must be an HTTP header name, not "bad name"');
  });
});

describe('containerProbes', () => {
  it('collects what it cannot resolve instead of throwing, and keeps the rest', () => {
    const pod: V1Pod = { spec: { containers: [{ ...C, readinessProbe: { tcpSocket: { port: 'nope' } }, livenessProbe: { tcpSocket: { port: 'http' } } }] } };
    const { probes, errors } = containerProbes(pod, 0, CTX);
    assert.deepEqual(Object.keys(probes), ['liveness']);
    assert.deepEqual(errors.map((e) => e.field), ['spec.containers[0].readinessProbe.tcpSocket.port']);
  });

  it('nothing for a container without probes or a missing index', () => {
    const pod: V1Pod = { spec: { containers: [C] } };
    assert.deepEqual(containerProbes(pod, 0, CTX), { probes: {}, errors: [] });
    assert.deepEqual(containerProbes(pod, 3, CTX), { probes: {}, errors: [] });
  });
});

describe('killGraceMs', () => {
  it("the probe's grace, else the pod's, else 30 s; capped as the lab caps deletion", () => {
    const pod: V1Pod = { spec: { containers: [], terminationGracePeriodSeconds: 2 } };
    assert.equal(killGraceMs(pod, { terminationGracePeriodSeconds: 1 }), 1000);
    assert.equal(killGraceMs(pod, {}), 2000);
    assert.equal(killGraceMs({ spec: { containers: [] } }, undefined), 5000);
    assert.equal(killGraceMs({ spec: { containers: [] } }, undefined, 60_000), 30_000);
  });
});
