// Prometheus metrics with prom-client, on a registry of the proxy's own (not the global one), so
// two proxies in one process (tests, gateway + sidecar) never mix their numbers.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

interface LabelChildren {
  labels: { listener: string; route: string; backend: string };
  /** Status class (2 for 2xx) -> counter child. */
  codes: Map<number, { inc(): void }>;
  duration: { observe(v: number): void };
}

export class ProxyMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'listener' | 'route' | 'backend' | 'code'>;
  readonly duration: Histogram<'listener' | 'route' | 'backend'>;
  readonly upstreamFailures: Counter<'cluster' | 'reason'>;
  private readonly children = new Map<string, LabelChildren>();

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    this.requests = new Counter({
      name: 'podnet_l7_requests_total',
      help: 'Requests answered, by listener, route, backend cluster and status class (2xx..5xx).',
      labelNames: ['listener', 'route', 'backend', 'code'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'podnet_l7_request_duration_seconds',
      help: 'Time from request start to the end of the response.',
      labelNames: ['listener', 'route', 'backend'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.upstreamFailures = new Counter({
      name: 'podnet_l7_upstream_failures_total',
      help: 'Failed upstream attempts by cluster and reason (connect-failure, reset, timeout).',
      labelNames: ['cluster', 'reason'],
      registers: [this.registry],
    });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Per request: the label children are looked up once per (listener, route, backend) and kept,
   * since prom-client hashes the label object on every inc/observe otherwise.
   */
  observe(listener: string, route: string, backend: string, status: number, seconds: number): void {
    const key = `${listener}\u0000${route}\u0000${backend}`;
    let c = this.children.get(key);
    if (!c) {
      c = { codes: new Map(), duration: this.duration.labels({ listener, route, backend }), labels: { listener, route, backend } };
      this.children.set(key, c);
    }
    const cls = Math.floor(status / 100);
    let counter = c.codes.get(cls);
    if (!counter) {
      counter = this.requests.labels({ ...c.labels, code: `${cls}xx` });
      c.codes.set(cls, counter);
    }
    counter.inc();
    c.duration.observe(seconds);
  }
}
