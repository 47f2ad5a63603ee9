import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../api/types.js';
import { startWatch, WatchError, WatchReducer, type Snapshot } from './watch.js';

const svc = (name: string, ns = 'default'): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns } });
const line = (type: string, object?: KubeObject) => `${JSON.stringify(object ? { type, object } : { type })}\n`;

describe('WatchReducer', () => {
  it('holds changes back until the BOOKMARK, then reports each one', () => {
    const r = new WatchReducer(new Set(['Service', 'Pod']));
    assert.equal(r.feed(line('ADDED', svc('a'))), false);
    assert.equal(r.feed(line('ADDED', svc('b'))), false);
    assert.equal(r.isSynced, false);
    assert.equal(r.feed(line('BOOKMARK')), true);
    assert.deepEqual([...r.snapshot.keys()], ['Service/default/a', 'Service/default/b']);
    assert.equal(r.feed(line('MODIFIED', { ...svc('a'), spec: { clusterIP: '10.96.0.5' } })), true);
    assert.deepEqual(r.snapshot.get('Service/default/a')?.spec, { clusterIP: '10.96.0.5' });
    assert.equal(r.feed(line('DELETED', svc('b'))), true);
    assert.equal(r.snapshot.size, 1);
    assert.equal(r.feed(line('BOOKMARK')), false, 'a later bookmark changes nothing');
    assert.equal(r.feed('  '), false);
  });

  it('names the event behind each reported change, and none for the listing', () => {
    const r = new WatchReducer(new Set(['Service']));
    r.feed(line('ADDED', svc('a')));
    assert.equal(r.feed(line('BOOKMARK')), true);
    assert.equal(r.lastEvent, undefined, 'a listing is taken whole');
    r.feed(line('MODIFIED', svc('a')));
    assert.deepEqual(r.lastEvent, { type: 'MODIFIED', object: svc('a') });
    r.feed(line('DELETED', svc('a')));
    assert.deepEqual(r.lastEvent, { type: 'DELETED', object: svc('a') });
  });

  it('ignores kinds it was not asked for', () => {
    const r = new WatchReducer(new Set(['Pod']));
    r.feed(line('BOOKMARK'));
    assert.equal(r.feed(line('ADDED', svc('a'))), false);
    assert.equal(r.snapshot.size, 0);
  });

  it('throws WatchError on lines it cannot use', () => {
    const r = new WatchReducer(new Set(['Service']));
    assert.throws(() => r.feed('{not json'), WatchError);
    assert.throws(() => r.feed(line('SOMETHING', svc('a'))), WatchError);
    assert.throws(() => r.feed(JSON.stringify({ type: 'ADDED', object: { kind: 'Service' } })), WatchError);
    assert.throws(() => r.feed(JSON.stringify({ type: 'ERROR', object: { message: 'too old' } })), /too old/);
  });
});

/** A stand-in for the lab daemon's GET /v1/watch on a unix socket, scripted per connection. */
describe('startWatch against a unix-socket API', () => {
  let dir: string;
  let socketPath: string;
  let server: Server;
  let connections: Array<{ res: ServerResponse; url: string }> = [];
  let onConnect: (res: ServerResponse, n: number) => void = () => undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pn-dns-watch-'));
    socketPath = join(dir, 'api.sock');
    server = createServer((req, res) => {
      connections.push({ res, url: req.url ?? '' });
      onConnect(res, connections.length);
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  function changes(): { seen: Array<string[]>; next: (n: number) => Promise<void>; onChange: (s: Snapshot) => void } {
    const seen: Array<string[]> = [];
    const waiters: Array<{ n: number; resolve: () => void }> = [];
    return {
      seen,
      onChange: (s) => {
        seen.push([...s.keys()].sort());
        for (const w of waiters.filter((w) => seen.length >= w.n)) w.resolve();
      },
      next: (n) => new Promise<void>((resolve, reject) => {
        if (seen.length >= n) return resolve();
        const t = setTimeout(() => reject(new Error(`only ${seen.length} changes, wanted ${n}: ${JSON.stringify(seen)}`)), 3000);
        waiters.push({ n, resolve: () => { clearTimeout(t); resolve(); } });
      }),
    };
  }

  it('lists, follows live events, and after a broken stream takes the relisted state as the truth', async () => {
    connections = [];
    onConnect = (res, n) => {
      if (n === 1) {
        res.writeHead(500).end('{"error":"not yet"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // Split a line across writes: the client must reassemble it.
      const first = n === 2 ? line('ADDED', svc('a')) + line('ADDED', svc('b')) : line('ADDED', svc('a'));
      res.write(first.slice(0, 10));
      setTimeout(() => res.write(first.slice(10) + line('BOOKMARK')), 10);
    };
    const c = changes();
    const logs: string[] = [];
    const w = startWatch({ socketPath, kinds: ['Service', 'EndpointSlice'], onChange: c.onChange, log: (l) => logs.push(l), backoff: { initialMs: 10, maxMs: 50 } });
    try {
      await c.next(1);
      assert.deepEqual(c.seen[0], ['Service/default/a', 'Service/default/b']);
      assert.equal(connections[1]?.url, '/v1/watch?kind=Service&kind=EndpointSlice');
      assert.match(logs[0] ?? '', /HTTP 500/);
      connections[1]?.res.write(line('ADDED', svc('c', 'other')));
      await c.next(2);
      assert.deepEqual(c.seen[1], ['Service/default/a', 'Service/default/b', 'Service/other/c']);
      // The daemon goes away; meanwhile b and c were deleted. The next listing has only a.
      connections[1]?.res.destroy();
      await c.next(3);
      assert.deepEqual(c.seen[2], ['Service/default/a']);
      assert.equal(connections.length, 3);
    } finally {
      w.close();
    }
  });

  it('backs off while the socket is missing, and close() stops it', async () => {
    const logs: string[] = [];
    const w = startWatch({ socketPath: join(dir, 'absent.sock'), kinds: ['Pod'], onChange: () => undefined, log: (l) => logs.push(l), backoff: { initialMs: 5, maxMs: 20 } });
    await new Promise((r) => setTimeout(r, 120));
    w.close();
    const count = logs.length;
    assert.ok(count >= 3 && count < 20, `${count} attempts`);
    assert.match(logs[0] ?? '', /cannot reach .*absent\.sock/);
    assert.ok(logs.slice(0, 4).map((l) => /in (\d+) ms/.exec(l)?.[1]).join(' ').startsWith('5 10 20'));
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(logs.length, count);
  });
});
