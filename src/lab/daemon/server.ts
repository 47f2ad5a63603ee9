// The lab daemon's API on a unix socket (/run/podnet/<lab>/api.sock): the CLI's only way in.
// Errors map to one line in `{error}` with status 400 (bad input) or 500 (the lab failed).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { unlinkSync } from 'node:fs';
import type { Loaded } from '../../api/types.js';
import type { Lab } from './lab.js';

export interface ServerHooks {
  shutdown: () => void;
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString();
  return text ? JSON.parse(text) : {};
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function serve(lab: Lab, socket: string, hooks: ServerHooks): Promise<Server> {
  const server = createServer((req, res) => {
    handle(lab, req, res, hooks).catch((err: Error & { code?: string }) => {
      const userError = err.name === 'ManifestError' || err.code === 'EMANIFEST' || err.constructor?.name === 'ManifestError';
      send(res, userError ? 400 : 500, { error: err.message });
    });
  });
  try {
    unlinkSync(socket);
  } catch {
    // not there: fine
  }
  return new Promise((resolve) => server.listen(socket, () => resolve(server)));
}

async function handle(lab: Lab, req: IncomingMessage, res: ServerResponse, hooks: ServerHooks): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://lab');
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'GET /v1/objects': {
      const kind = url.searchParams.get('kind') ?? 'Pod';
      const ns = url.searchParams.get('namespace') ?? undefined;
      return send(res, 200, { items: lab.list(kind, ns) });
    }
    case 'GET /v1/watch':
      return watch(lab, url.searchParams.getAll('kind'), req, res);
    case 'GET /v1/status':
      return send(res, 200, {
        name: lab.config.name, config: lab.config, pid: process.pid,
        nodes: lab.plan.nodes.map((n) => ({
          name: n.name, netns: n.netns, podCIDRs: n.podCIDRs, underlayIPs: n.underlayIPs, podMTU: n.podMTU,
          proxySync: lab.services.lastSync.get(n.name), policySync: lab.policies.lastSync.get(n.name),
        })),
      });
    case 'POST /v1/apply': {
      const { objects } = (await body(req)) as { objects: Loaded[] };
      return send(res, 200, { results: await lab.apply(objects) });
    }
    case 'POST /v1/delete': {
      const { objects } = (await body(req)) as { objects: Loaded[] };
      return send(res, 200, { results: await lab.delete(objects) });
    }
    case 'POST /v1/shutdown':
      send(res, 200, { ok: true });
      hooks.shutdown();
      return;
    default:
      return send(res, 404, { error: `no route ${route}` });
  }
}

/**
 * A watch as the informer pattern needs it: the current objects of the asked kinds as ADDED
 * events, a BOOKMARK once the listing is complete, then every change, as NDJSON lines on one
 * never-ending response. Listing and registering happen in one synchronous step, so no change
 * can fall between them.
 */
function watch(lab: Lab, kinds: string[], req: IncomingMessage, res: ServerResponse): void {
  const wanted = new Set(kinds);
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  const initial = [...wanted].flatMap((k) => lab.store.list(k)).map((object) => JSON.stringify({ type: 'ADDED', object }) + '\n');
  res.write(initial.join('') + JSON.stringify({ type: 'BOOKMARK' }) + '\n');
  const stop = lab.store.watch((ev) => {
    if (wanted.has(ev.object.kind)) res.write(JSON.stringify({ type: ev.type, object: ev.object }) + '\n');
  });
  req.on('close', stop);
  res.on('error', stop);
}
