// agnhost grpc-health-checking on 127.0.0.1, checked with the prober's own gRPC probe and a plain
// grpc-js client: the service filter, the HTTP switches, --delay-unhealthy-sec, Watch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentials, Metadata, status as Code, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import { Health, type HealthCheckRequest, type HealthCheckResponse } from '../readiness/grpc-health.js';
import { grpcCheck } from '../readiness/grpc-probe.js';
import { servingStatus, startGrpcHealthChecking } from './grpc-health-checking.js';
import { get } from './testutil.js';

const start = (over: { delayUnhealthySec?: number; service?: string } = {}) =>
  startGrpcHealthChecking({ port: 0, httpPort: 0, delayUnhealthySec: -1, service: '', bindHost: '127.0.0.1', ...over });

describe('servingStatus (upstream condition)', () => {
  it('forced NOT_SERVING wins; /make-serving does not undo the delay; a negative delay never expires', () => {
    assert.equal(servingStatus(undefined, -1, 1e6), 'SERVING');
    assert.equal(servingStatus(undefined, 0, 0), 'NOT_SERVING');
    assert.equal(servingStatus(undefined, 5, 4.9), 'SERVING');
    assert.equal(servingStatus(undefined, 5, 5), 'NOT_SERVING');
    assert.equal(servingStatus(true, -1, 0), 'NOT_SERVING');
    assert.equal(servingStatus(false, -1, 0), 'SERVING');
    assert.equal(servingStatus(false, 5, 6), 'NOT_SERVING');
  });
});

describe('grpc-health-checking server', () => {
  it('SERVING for --service, NOT_FOUND for any other name; the HTTP switches flip it', async () => {
    const h = await start({ service: 'shop' });
    try {
      assert.deepEqual(await grpcCheck('127.0.0.1', h.grpcPort, 'shop', 2000), { ok: true });
      assert.deepEqual(await grpcCheck('127.0.0.1', h.grpcPort, '', 2000),
        { ok: false, message: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' });

      const off = await get(h.httpPort, '/make-not-serving');
      assert.equal(off.status, 200);
      assert.match(off.body, /^[\d.]+(ns|µs|ms|s)$/, 'the time since start, as a Go duration');
      assert.deepEqual(await grpcCheck('127.0.0.1', h.grpcPort, 'shop', 2000), { ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' });

      assert.equal((await get(h.httpPort, '/make-serving')).status, 200);
      assert.deepEqual(await grpcCheck('127.0.0.1', h.grpcPort, 'shop', 2000), { ok: true });

      const other = await get(h.httpPort, '/healthz');
      assert.deepEqual([other.status, other.body], [404, '404 page not found\n']);
    } finally {
      await h.close();
    }
  });

  it('--delay-unhealthy-sec=0 starts NOT_SERVING; =1 turns NOT_SERVING after a second', async () => {
    const zero = await start({ delayUnhealthySec: 0 });
    const one = await start({ delayUnhealthySec: 1 });
    try {
      assert.equal((await grpcCheck('127.0.0.1', zero.grpcPort, '', 2000)).ok, false);
      assert.equal((await grpcCheck('127.0.0.1', one.grpcPort, '', 2000)).ok, true);
      await new Promise((r) => setTimeout(r, 1100));
      assert.deepEqual(await grpcCheck('127.0.0.1', one.grpcPort, '', 2000), { ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' });
    } finally {
      await zero.close();
      await one.close();
    }
  });

  it('Watch is UNIMPLEMENTED', async () => {
    const h = await start();
    const client = new Health(`127.0.0.1:${h.grpcPort}`, credentials.createInsecure());
    try {
      const m = Health.service.Watch as MethodDefinition<HealthCheckRequest, HealthCheckResponse>;
      const err = await new Promise<ServiceError>((resolve) => {
        const call = client.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, { service: '' }, new Metadata(), { deadline: Date.now() + 2000 });
        call.on('data', () => undefined);
        call.on('error', (e: ServiceError) => resolve(e));
      });
      assert.deepEqual([err.code, err.details], [Code.UNIMPLEMENTED, 'unimplemented']);
    } finally {
      client.close();
      await h.close();
    }
  });

  it('a taken gRPC port is an error, and the HTTP server it started is closed again', async () => {
    const a = await start();
    try {
      await assert.rejects(startGrpcHealthChecking({ port: a.grpcPort, httpPort: 0, delayUnhealthySec: -1, service: '', bindHost: '127.0.0.1' }));
    } finally {
      await a.close();
    }
  });
});
