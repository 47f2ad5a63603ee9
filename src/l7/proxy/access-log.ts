// One JSON line per request (Envoy's and Traefik's JSON access-log shape, trimmed to what an
// operator asks first: who, where to, what came back, how long, how much).

export interface AccessRecord {
  time: string;
  listener: string;
  route: string;
  method: string;
  host: string;
  path: string;
  /** `HTTP/1.1` or `HTTP/2`. */
  proto: string;
  status: number;
  /** `address:port` of the endpoint that answered, or `-` for local answers. */
  upstream: string;
  duration_ms: number;
  /** Response body bytes sent to the client. */
  bytes: number;
  /** Why the proxy answered itself (no route, no endpoint, timeout, ...). */
  detail?: string;
}

export type AccessLogSink = (line: string) => void;

export function formatAccessRecord(r: AccessRecord): string {
  return JSON.stringify(r);
}
