// agnhost grpc-health-checking: a gRPC server with the standard health service, for gRPC probes.
// Follows upstream test/images/agnhost/grpc-health-checking/grpc-health-checking.go:
// Check answers SERVING for the first --delay-unhealthy-sec seconds (negative: forever; 0: never)
// and NOT_SERVING after, NOT_FOUND ("unknown service") for any service name but --service, and
// Watch is UNIMPLEMENTED. An HTTP control server on --http-port forces the answer: /make-not-serving
// and /make-serving, each replying 200 with the time since start (a Go duration).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Server, ServerCredentials, status as Code,
  type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { Health, type HealthCheckRequest, type HealthCheckResponse, type ServingStatus } from '../readiness/grpc-health.js';
import { goLog } from './common.js';
import { formatDuration } from './duration.js';

export interface GrpcHealthOptions {
  port: number;
  httpPort: number;
  delayUnhealthySec: number;
  service: string;
  /** undefined means all addresses, dual-stack. */
  bindHost?: string;
}

export interface GrpcHealthHandle {
  grpcPort: number;
  httpPort: number;
  close(): Promise<void>;
}

/**
 * What Check answers, upstream's condition `(force != nil && *force) || (delay >= 0 && elapsed >= delay)`:
 * /make-not-serving forces NOT_SERVING; /make-serving only lifts that, it does not undo the delay.
 */
export function servingStatus(forceUnhealthy: boolean | undefined, delayUnhealthySec: number, elapsedSec: number): ServingStatus {
  return forceUnhealthy === true || (delayUnhealthySec >= 0 && elapsedSec >= delayUnhealthySec) ? 'NOT_SERVING' : 'SERVING';
}

/** Go's ":port" text for the log lines. */
const listenText = (host: string | undefined, port: number): string => (host === undefined ? `:${port}` : host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

function bindGrpc(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
}

function listenHttp(server: http.Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startGrpcHealthChecking(o: GrpcHealthOptions): Promise<GrpcHealthHandle> {
  const started = process.hrtime.bigint();
  const startedAt = new Date();
  const since = (): bigint => process.hrtime.bigint() - started;
  let forceUnhealthy: boolean | undefined;

  const control = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/make-not-serving' || path === '/make-serving') {
      goLog(path === '/make-not-serving' ? 'Mark as unhealthy' : 'Mark as healthy');
      forceUnhealthy = path === '/make-not-serving';
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(formatDuration(since()));
      return;
    }
    // Go's DefaultServeMux for any other path.
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end('404 page not found\n');
  });

  const impl: UntypedServiceImplementation = {
    Check: (call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: sendUnaryData<HealthCheckResponse>) => {
      goLog(`Serving the Check request for health check, started at ${startedAt.toISOString()}`);
      if (call.request.service !== o.service) {
        callback({ code: Code.NOT_FOUND, details: 'unknown service' });
        return;
      }
      callback(null, { status: servingStatus(forceUnhealthy, o.delayUnhealthySec, Number(since()) / 1e9) });
    },
    Watch: (call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
      call.emit('error', { code: Code.UNIMPLEMENTED, details: 'unimplemented' });
    },
  };
  const grpcServer = new Server();
  grpcServer.addService(Health.service, impl);

  const close = async (): Promise<void> => {
    control.closeAllConnections();
    await new Promise<void>((r) => control.close(() => r()));
    await new Promise<void>((r) => grpcServer.tryShutdown(() => r()));
  };
  try {
    goLog(`Http server starting to listen on ${listenText(o.bindHost, o.httpPort)}`);
    const httpPort = await listenHttp(control, o.httpPort, o.bindHost);
    goLog(`gRPC server starting to listen on ${listenText(o.bindHost, o.port)}`);
    // Go's ":port" listens dual-stack; fall back to IPv4 where the namespace has no IPv6.
    const grpcPort = o.bindHost !== undefined
      ? await bindGrpc(grpcServer, o.bindHost, o.port)
      : await bindGrpc(grpcServer, '::', o.port).catch(() => bindGrpc(grpcServer, '0.0.0.0', o.port));
    return { grpcPort, httpPort, close };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}
