// grpc-health-checking's flags, apart from the server so that agnhost-main can list them without
// loading gRPC (see grpc-health-checking.ts).
import type { FlagSpecs } from './flags.js';

export const grpcHealthCheckingFlags: FlagSpecs = {
  port: { kind: 'int', default: 5000, usage: 'Port number.' },
  'http-port': { kind: 'int', default: 8080, usage: 'Port number for the /make-serving and /make-not-serving.' },
  'delay-unhealthy-sec': { kind: 'int', default: -1, usage: 'Number of seconds to delay before start reporting NOT_SERVING, negative value indicates never.' },
  service: { kind: 'string', default: '', usage: 'Service name to register the health check for.' },
};
