// What a request handler needs from its proxy, apart from the handler so that forward.ts can
// share it without an import cycle.
import type { AccessLogSink } from './access-log.js';
import type { ProxyMetrics } from './metrics.js';
import type { Snapshot } from './snapshot.js';
import type { Upstreams } from './upstreams.js';

export interface HandlerOptions {
  /** Request bodies larger than this get 413. */
  maxBodyBytes: number;
  /** HTTP/2 header lists larger than this get 431 (HTTP/1's parser enforces maxHeaderSize itself). */
  maxHeaderBytes: number;
}

export interface HandlerDeps {
  snapshot(): Snapshot;
  upstreams: Upstreams;
  metrics: ProxyMetrics;
  /** Undefined: no access log (nothing is formatted). */
  log?: AccessLogSink;
  random: () => number;
  options: HandlerOptions;
}
