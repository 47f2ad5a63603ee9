// The gRPC probe against real gRPC servers on 127.0.0.1: the health service answering each status,
// a server without it, one that never answers, a refused port and a port that accepts but never
// speaks HTTP/2.
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  Server, ServerCredentials, status as Code,
  type sendUnaryData, type ServerUnaryCall, type ServiceError,
} from '@grpc/grpc-js';
import { Health, type HealthCheckRequest, type HealthCheckResponse, type ServingStatus } from './grpc-health.js';
import { goCodeName, grpcCheck } from './grpc-probe.js';
import { check } from './prober-main.js';
import { PROBE_USER_AGENT } from './spec.js';
import type { ProberEvent } from './types.js';
import { ContainerProber } from './worker.js';

interface Seen {
  service: string;
  userAgent: string;
}

/** A health server whose answer for each service comes from `answers` (absent: NOT_FOUND, as grpc-go's health server). */
async function healthServer(answers: Partial<Record<string, ServingStatus | 'hang'>>): Promise<{ port: number; seen: Seen[]; stop(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = new Server();
  server.addService(Health.service, {
    Check: (call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, cb: sendUnaryData<HealthCheckResponse>) => {
      seen.push({ service: call.request.service, userAgent: String(call.metadata.get('user-agent')[0] ?? '') });
      const a = answers[call.request.service];
      if (a === 'hang') return;
      if (a === undefined) return cb({ code: Code.NOT_FOUND, details: 'unknown service' } as Partial<ServiceError> as ServiceError);
      cb(null, { status: a });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { port, seen, stop: () => new Promise<void>((r) => server.tryShutdown(() => r())).then(() => server.forceShutdown()) };
}

describe('grpcCheck', () => {
  let h: Awaited<ReturnType<typeof healthServer>>;
  before(async () => {
    h = await healthServer({ '': 'SERVING', shop: 'NOT_SERVING', idle: 'UNKNOWN', slow: 'hang' });
  });
  after(() => h.stop());

  it('SERVING is success; the service field and the kube-probe User-Agent are sent', async () => {
    assert.deepEqual(await grpcCheck('127.0.0.1', h.port, '', 1000), { ok: true });
    const last = h.seen.at(-1);
    assert.equal(last?.service, '');
    assert.ok(last?.userAgent.startsWith(PROBE_USER_AGENT), last?.userAgent);
  });

  it('any other status is failure, named as the kubelet names it', async () => {
    assert.deepEqual(await grpcCheck('127.0.0.1', h.port, 'shop', 1000), { ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' });
    assert.equal(h.seen.at(-1)?.service, 'shop');
    assert.deepEqual(await grpcCheck('127.0.0.1', h.port, 'idle', 1000), { ok: false, message: 'service unhealthy (responded with "UNKNOWN")' });
  });

  it('an RPC error (an unknown service) is failure', async () => {
    assert.deepEqual(await grpcCheck('127.0.0.1', h.port, 'nope', 1000),
      { ok: false, message: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' });
  });

  it('an answer that does not come within the timeout is failure, after about the timeout', async () => {
    const t0 = Date.now();
    assert.deepEqual(await grpcCheck('127.0.0.1', h.port, 'slow', 1000), { ok: false, message: 'timeout: health rpc did not complete within 1s' });
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 3000, `took ${took} ms`);
  });

  it('the prober dispatches grpc actions to it', async () => {
    assert.deepEqual(await check({ type: 'grpc', host: '127.0.0.1', port: h.port, service: '' }, 1000), { ok: true });
    assert.equal((await check({ type: 'grpc', host: '127.0.0.1', port: h.port, service: 'shop' }, 1000)).ok, false);
  });
});

describe('grpcCheck without a health server', () => {
  it('a gRPC server without grpc.health.v1.Health: Unimplemented', async () => {
    const server = new Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    try {
      const r = await grpcCheck('127.0.0.1', port, '', 1000);
      assert.equal(r.ok, false);
      assert.match(r.message ?? '', /^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\): /);
    } finally {
      server.forceShutdown();
    }
  });

  it('a refused port: failure once the timeout has passed, as a blocking dial', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const t0 = Date.now();
    assert.deepEqual(await grpcCheck('127.0.0.1', port, '', 1000),
      { ok: false, message: `timeout: failed to connect service "127.0.0.1:${port}" within 1s: context deadline exceeded` });
    assert.ok(Date.now() - t0 < 3000);
  });

  it('a port that accepts but never speaks HTTP/2: failure within about the timeout', async () => {
    const sockets = new Set<net.Socket>();
    const mute = net.createServer((s) => sockets.add(s));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', () => r()));
    const port = (mute.address() as AddressInfo).port;
    try {
      const t0 = Date.now();
      const r = await grpcCheck('127.0.0.1', port, '', 1000);
      assert.equal(r.ok, false);
      assert.ok(Date.now() - t0 < 3000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => mute.close(() => r()));
    }
  });
});

describe('goCodeName', () => {
  it("spells codes as Go's codes.Code String()", () => {
    assert.equal(goCodeName(Code.NOT_FOUND), 'NotFound');
    assert.equal(goCodeName(Code.DEADLINE_EXCEEDED), 'DeadlineExceeded');
    assert.equal(goCodeName(Code.UNIMPLEMENTED), 'Unimplemented');
    assert.equal(goCodeName(Code.OK), 'OK');
    assert.equal(goCodeName(99), 'Code(99)');
  });
});

describe('ContainerProber with gRPC probes against a live server', () => {
  it('readiness flips with the served status; a NOT_SERVING liveness probe reports failure once', async () => {
    const answers: Partial<Record<string, ServingStatus | 'hang'>> = { app: 'NOT_SERVING', live: 'SERVING' };
    const h = await healthServer(answers);
    const events: ProberEvent[] = [];
    const timing = { initialDelayMs: 0, periodMs: 100, timeoutMs: 1000, successThreshold: 1, failureThreshold: 2 };
    const p = new ContainerProber('ns/pod/c', 1, Date.now(), {
      readiness: { action: { type: 'grpc', host: '127.0.0.1', port: h.port, service: 'app' }, ...timing },
      liveness: { action: { type: 'grpc', host: '127.0.0.1', port: h.port, service: 'live' }, ...timing },
    }, { timers: { now: Date.now, setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout) }, check, emit: (e) => events.push(e) });
    const flips = () => events.map((e) => `${e.probe}:${e.result}`);
    const until = async (want: string[]) => {
      const end = Date.now() + 5000;
      while (flips().join() !== want.join() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(flips(), want);
    };
    try {
      p.start();
      await new Promise((r) => setTimeout(r, 400));
      assert.deepEqual(flips(), [], 'not ready from the start: no flip while NOT_SERVING');
      answers.app = 'SERVING';
      await until(['readiness:success']);
      answers.app = 'SERVICE_UNKNOWN';
      await until(['readiness:success', 'readiness:failure']);
      assert.equal(events[1].message, 'service unhealthy (responded with "SERVICE_UNKNOWN")');
      delete answers.live; // NOT_FOUND from now on
      await until(['readiness:success', 'readiness:failure', 'liveness:failure']);
      assert.match(events[2].message ?? '', /code = NotFound/);
    } finally {
      p.stop();
      await h.stop();
    }
  });
});
