// A gRPC probe as the kubelet runs one (pkg/probe/grpc/grpc.go): a blocking, insecure dial with
// the kube-probe User-Agent, then grpc.health.v1.Health/Check with the probe's `service`, all within
// timeoutSeconds. SERVING is success; any other status, an RPC error (NotFound for an unknown
// service, Unimplemented for a server without the health service), a failed connect or the timeout
// is failure. Messages follow the kubelet's wording, since they end up in pod events and logs.
import { credentials, Metadata, status as Code, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import { Health, type HealthCheckRequest, type HealthCheckResponse } from './grpc-health.js';
import { PROBE_USER_AGENT } from './spec.js';
import type { CheckOutcome } from './worker.js';

const check = Health.service.Check as MethodDefinition<HealthCheckRequest, HealthCheckResponse>;

/** Go's codes.Code String(): NOT_FOUND → NotFound. */
export function goCodeName(code: number): string {
  const name = Code[code] as string | undefined;
  if (name === undefined) return `Code(${code})`;
  return name === 'OK' ? 'OK' : name.toLowerCase().replace(/(^|_)([a-z])/g, (_, _u: string, c: string) => c.toUpperCase());
}

/** `rpc error: code = NotFound desc = unknown service`, as a Go status error prints. */
function rpcError(e: ServiceError): string {
  return `rpc error: code = ${goCodeName(e.code)} desc = ${e.details}`;
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function grpcCheck(host: string, port: number, service: string, timeoutMs: number): Promise<CheckOutcome> {
  const addr = joinHostPort(host, port);
  const timeout = `${timeoutMs / 1000}s`;
  const deadline = Date.now() + timeoutMs;
  const client = new Health(addr, credentials.createInsecure(), {
    'grpc.primary_user_agent': PROBE_USER_AGENT,
    // A connection of its own for every probe, closed afterwards, as the kubelet dials each time:
    // grpc-js would otherwise share one subchannel between probes of the same address.
    'grpc.use_local_subchannel_pool': 1,
    'grpc.enable_retries': 0,
  });
  return new Promise<CheckOutcome>((resolve) => {
    // WithBlock: wait for the connection (retrying refusals) until the deadline.
    client.waitForReady(deadline, (dialErr) => {
      if (dialErr) {
        resolve({ ok: false, message: `timeout: failed to connect service "${addr}" within ${timeout}: context deadline exceeded` });
        return;
      }
      client.makeUnaryRequest(check.path, check.requestSerialize, check.responseDeserialize, { service }, new Metadata(), { deadline }, (err, resp) => {
        if (err) {
          if (err.code === Code.UNIMPLEMENTED) {
            resolve({ ok: false, message: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}` });
          } else if (err.code === Code.DEADLINE_EXCEEDED) {
            resolve({ ok: false, message: `timeout: health rpc did not complete within ${timeout}` });
          } else {
            resolve({ ok: false, message: `error: health rpc probe failed: ${rpcError(err)}` });
          }
          return;
        }
        const status = resp?.status ?? 'UNKNOWN';
        resolve(status === 'SERVING' ? { ok: true } : { ok: false, message: `service unhealthy (responded with "${status}")` });
      });
    });
  }).finally(() => client.close());
}
