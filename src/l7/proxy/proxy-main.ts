// The proxy program: what a gateway pod runs (and, later, a mesh sidecar). It serves the route
// table in --table, reloads it on SIGHUP and whenever the file changes (a bad file is reported
// in one line and the running table stays), writes the JSON access log and serves /metrics.
// With --workers N (N > 1) it runs as nginx does with worker_processes N: this process is the
// master (checks the table, serves the admin port with the workers' metrics summed, passes
// SIGHUP on, restarts a worker that died) and N node:cluster workers serve the listeners, whose
// connections the master hands out round robin.
import cluster, { type Worker } from 'node:cluster';
import { createWriteStream, readFileSync, watch } from 'node:fs';
import { AggregatorRegistry } from 'prom-client';
import { startAdminServer } from './admin-server.js';
import { parseProxyArgs, parseRouteTable, PROXY_USAGE, ProxyArgsError, type ProxyArgs } from './args.js';
import { ProxyMetrics } from './metrics.js';
import { ProxyServer } from './server.js';

function fail(msg: string): never {
  process.stderr.write(`proxy: ${msg}\n`);
  process.exit(2);
}

async function serve(args: ProxyArgs, worker: boolean): Promise<void> {
  const sink = args.accessLog === 'off' ? undefined : args.accessLog === '-' ? process.stdout : createWriteStream(args.accessLog, { flags: 'a' });
  const metrics = new ProxyMetrics({ defaultMetrics: true });
  // A worker's numbers go to the master's /metrics (prom-client's cluster aggregation).
  // prom-client starts answering the master's requests when an AggregatorRegistry is built.
  if (worker) {
    AggregatorRegistry.setRegistries([metrics.registry]);
    new AggregatorRegistry();
    // The master is gone (killed without a chance to stop us): so are we.
    process.on('disconnect', () => process.exit(0));
  }
  const proxy = new ProxyServer({
    host: args.bind, balance: args.balance, maxBodyBytes: args.maxBodyBytes, maxHeaderBytes: args.maxHeaderBytes,
    headersTimeoutMs: args.headersTimeoutMs, metrics, log: sink ? (line) => sink.write(line + '\n') : undefined,
  });
  const load = async (): Promise<boolean> => {
    try {
      await proxy.setTable(parseRouteTable(readFileSync(args.table, 'utf8'), args.table));
      return true;
    } catch (err) {
      process.stderr.write(`proxy: ${(err as Error).message} (keeping the previous table)\n`);
      return false;
    }
  };
  if (!(await load())) process.exit(1);
  const admin = worker ? undefined : await startAdminServer(metrics, args.adminPort, args.bind);
  let pending: NodeJS.Timeout | undefined;
  const reload = () => {
    clearTimeout(pending);
    pending = setTimeout(() => void load(), 50);
  };
  process.on('SIGHUP', reload);
  // Watching the file (not its directory) misses atomic renames; SIGHUP covers those.
  watch(args.table, reload).on('error', () => undefined);
  const stop = () => {
    admin?.close();
    void proxy.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function master(args: ProxyArgs): Promise<void> {
  // A table that does not parse fails here, once, before any worker starts.
  try {
    parseRouteTable(readFileSync(args.table, 'utf8'), args.table);
  } catch (err) {
    fail((err as Error).message);
  }
  cluster.schedulingPolicy = cluster.SCHED_RR;
  let stopping = false;
  const fork = (): Worker => cluster.fork();
  cluster.on('exit', (w, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    process.stderr.write(`proxy: worker ${w.process.pid} exited (${signal ?? code}); starting another\n`);
    setTimeout(fork, 200);
  });
  for (let i = 0; i < args.workers; i++) fork();
  const agg = new AggregatorRegistry();
  const admin = await startAdminServer({ registry: { metrics: () => agg.clusterMetrics(), contentType: agg.contentType } }, args.adminPort, args.bind);
  const each = (sig: NodeJS.Signals) => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(sig);
  };
  process.on('SIGHUP', () => each('SIGHUP'));
  const stop = () => {
    stopping = true;
    admin.close();
    each('SIGTERM');
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseProxyArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ProxyArgsError) fail(`${err.message}\n${PROXY_USAGE}`);
    throw err;
  }
  if (args.workers > 1 && cluster.isPrimary) await master(args);
  else await serve(args, cluster.isWorker);
}

main().catch((err: Error) => fail(err.message));
