// The standard gRPC health protocol (grpc.health.v1, https://github.com/grpc/grpc/blob/master/doc/health-checking.md),
// shared by the prober's client and agnhost's grpc-health-checking server. The .proto text is kept here
// rather than as a file beside the code so that it travels with the compiled JavaScript; protobufjs
// parses it and @grpc/proto-loader turns it into the service definition grpc-js serves and calls, so
// the wire encoding is the libraries', not ours.
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import protobuf from 'protobufjs';

const HEALTH_PROTO = `
syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest {
  string service = 1;
}
message HealthCheckResponse {
  enum ServingStatus {
    UNKNOWN = 0;
    SERVING = 1;
    NOT_SERVING = 2;
    SERVICE_UNKNOWN = 3;  // Used only by the Watch method.
  }
  ServingStatus status = 1;
}
service Health {
  rpc Check(HealthCheckRequest) returns (HealthCheckResponse);
  rpc Watch(HealthCheckRequest) returns (stream HealthCheckResponse);
}
`;

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export interface HealthCheckRequest {
  service: string;
}

export interface HealthCheckResponse {
  status: ServingStatus;
}

/** The method path a kubelet's probe calls. */
export const HEALTH_CHECK_METHOD = '/grpc.health.v1.Health/Check';

function load(): ServiceClientConstructor {
  const root = protobuf.parse(HEALTH_PROTO, { keepCase: true }).root;
  // enums as their names and defaults filled in, so a zero status reads 'UNKNOWN' rather than undefined.
  const pkg = loadPackageDefinition(fromJSON(root.toJSON(), { keepCase: true, enums: String, defaults: true }));
  const v1 = ((pkg.grpc as GrpcObject).health as GrpcObject).v1 as GrpcObject;
  return v1.Health as ServiceClientConstructor;
}

/** grpc.health.v1.Health: `.service` is the definition a server adds, `new Health(addr, creds)` a client. */
export const Health: ServiceClientConstructor = load();
