// The proxy program: what a gateway pod runs (and, later, a mesh sidecar). It serves the route
// table in --table, reloads it on SIGHUP and whenever the file changes (a bad file is reported
// in one line and the running table stays), writes the JSON access log and serves /metrics.
import { createWriteStream, readFileSync, watch } from 'node:fs';
import { startAdminServer } from './admin-server.js';
import { parseProxyArgs, parseRouteTable, PROXY_USAGE, ProxyArgsError } from './args.js';
import { ProxyMetrics } from './metrics.js';
import { ProxyServer } from './server.js';

function fail(msg: string): never {
  process.stderr.write(`proxy: ${msg}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseProxyArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ProxyArgsError) fail(`${err.message}\n${PROXY_USAGE}`);
    throw err;
  }
  const sink = args.accessLog === 'off' ? undefined : args.accessLog === '-' ? process.stdout : createWriteStream(args.accessLog, { flags: 'a' });
  const metrics = new ProxyMetrics({ defaultMetrics: true });
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
  const admin = await startAdminServer(metrics, args.adminPort, args.bind);
  let pending: NodeJS.Timeout | undefined;
  const reload = () => {
    clearTimeout(pending);
    pending = setTimeout(() => void load(), 50);
  };
  process.on('SIGHUP', reload);
  // Watching the file (not its directory) misses atomic renames; SIGHUP covers those.
  watch(args.table, reload).on('error', () => undefined);
  const stop = () => {
    admin.close();
    void proxy.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: Error) => fail(err.message));
