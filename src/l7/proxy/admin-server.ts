// The admin port: Prometheus metrics at /metrics, liveness at /healthz. Separate from the traffic
// listeners so that scraping never competes with routes (and a route can never shadow /metrics).
import http from 'node:http';

/** What /metrics serves: a proxy's registry, or in a multi-worker proxy the workers' aggregated. */
export interface MetricsSource {
  registry: { metrics(): Promise<string>; contentType: string };
}

export async function startAdminServer(metrics: MetricsSource, port: number, host = '::'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(`metrics: ${err.message}\n`),
      );
    } else if (req.url === '/healthz') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('admin: /metrics, /healthz\n');
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen({ port, host }, resolve));
  return server;
}
