// The node's prober: `nsenter --net=/run/netns/<node> node prober-main.js`, one per node, so that
// HTTP, TCP and gRPC probes leave from the node's network namespace as a kubelet's do (the lab daemon
// itself sits in the host namespace and never sends traffic to lab addresses). Reads track/untrack
// commands as JSON lines on stdin, writes result flips as JSON lines on stdout, logs to stderr.
// Exits when stdin closes, so it never outlives the daemon.
import { createInterface } from 'node:readline';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ContainerProber, type CheckOutcome, type Checker, type Timers } from './worker.js';
import { parseCommand, PROBER_READY, type ProbeAction, type ProberEvent } from './types.js';

/** The kubelet keeps at most this much of a response body or command output for its messages. */
const MAX_OUTPUT = 10 * 1024;
/** Go's http.Client gives up after 10 redirects. */
const MAX_REDIRECTS = 10;

const log = (line: string) => process.stderr.write(`${new Date().toISOString()} podnet-prober[${process.pid}] ${line}\n`);

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

type Http = Extract<ProbeAction, { type: 'http' }>;

function httpCheck(a: Http, timeoutMs: number): Promise<CheckOutcome> {
  // One deadline for the whole probe, redirects included, as Go's http.Client.Timeout.
  const deadline = Date.now() + timeoutMs;
  const get = (url: URL, hops: number): Promise<CheckOutcome> => new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: CheckOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(outcome);
    };
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of a.headers) {
      const prev = headers[k];
      headers[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
    }
    const options = { method: 'GET', headers, agent: false as const };
    const onResponse = (res: IncomingMessage) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        if (body.length < MAX_OUTPUT) body += c.toString().slice(0, MAX_OUTPUT - body.length);
      });
      res.on('error', (e) => finish({ ok: false, message: `Get "${url}": ${e.message}` }));
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        const location = res.headers.location;
        if ([301, 302, 303, 307, 308].includes(code) && location) {
          const next = new URL(location, url);
          // As the kubelet: follow redirects to the same host; another host ends the probe with a
          // warning, which counts as success.
          if (next.hostname !== url.hostname) return finish({ ok: true, message: `Probe terminated redirects, response body: ${body}` });
          if (hops >= MAX_REDIRECTS) return finish({ ok: false, message: `Get "${next}": stopped after ${MAX_REDIRECTS} redirects` });
          settled = true;
          clearTimeout(timer);
          return void get(next, hops + 1).then(resolve);
        }
        finish(code >= 200 && code < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      });
    };
    // HTTPS without verification, as the kubelet's prober (InsecureSkipVerify).
    const req = url.protocol === 'https:'
      ? httpsRequest(url, { ...options, rejectUnauthorized: false }, onResponse)
      : httpRequest(url, options, onResponse);
    const timer = setTimeout(
      () => finish({ ok: false, message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` }),
      Math.max(1, deadline - Date.now()),
    );
    req.on('error', (e) => finish({ ok: false, message: `Get "${url}": ${e.message}` }));
    req.end();
  });
  return get(new URL(`${a.scheme}://${hostPort(a.host, a.port)}${a.path}`), 0);
}

function tcpCheck(host: string, port: number, timeoutMs: number): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (outcome: CheckOutcome) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ ok: false, message: `dial tcp ${hostPort(host, port)}: i/o timeout` }), timeoutMs);
    sock.on('connect', () => done({ ok: true }));
    sock.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, message: `dial tcp ${hostPort(host, port)}: connect: ${e.code ?? e.message}` }));
  });
}

function execCheck(argv: string[], env: Record<string, string>, timeoutMs: number): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    // Its own process group, so a timeout kills the command and anything it started.
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const keep = (c: Buffer) => {
      if (output.length < MAX_OUTPUT) output += c.toString().slice(0, MAX_OUTPUT - output.length);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, message: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ ok: false, message: `command timed out after ${timeoutMs / 1000}s` });
      resolve(code === 0 ? { ok: true } : { ok: false, message: output.trim() || `command exited with ${code}` });
    });
  });
}

export const check: Checker = (a, timeoutMs) => {
  if (a.type === 'http') return httpCheck(a, timeoutMs);
  if (a.type === 'tcp') return tcpCheck(a.host, a.port, timeoutMs);
  // Loaded on first use: most nodes never run a gRPC probe, and gRPC costs the prober's start-up.
  if (a.type === 'grpc') return import('./grpc-probe.js').then(({ grpcCheck }) => grpcCheck(a.host, a.port, a.service, timeoutMs));
  return execCheck(a.argv, a.env, timeoutMs);
};

const timers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

function main(): void {
  const probers = new Map<string, ContainerProber>();
  const lastMessage = new Map<string, string>();
  const emit = (ev: ProberEvent) => {
    process.stdout.write(JSON.stringify(ev) + '\n');
    log(`${ev.id} (${ev.instance}) ${ev.probe}: ${ev.result}${ev.message ? ` (${ev.message.split('\n')[0]})` : ''}`);
  };
  const stop = () => {
    for (const p of probers.values()) p.stop();
    process.exit(0);
  };
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (!line.trim()) return;
    try {
      const cmd = parseCommand(line);
      probers.get(cmd.id)?.stop();
      probers.delete(cmd.id);
      for (const kind of ['startup', 'readiness', 'liveness']) lastMessage.delete(`${cmd.id}/${kind}`);
      if (cmd.op === 'untrack') return;
      const p = new ContainerProber(cmd.id, cmd.instance, cmd.startedAt, cmd.probes, {
        timers, check, emit,
        onProbe: (kind, outcome) => {
          // Failures repeat every period; log one line per new reason rather than a flood.
          const key = `${cmd.id}/${kind}`;
          const msg = outcome.ok ? '' : (outcome.message ?? 'failed');
          if (msg && lastMessage.get(key) !== msg) log(`${cmd.id} (${cmd.instance}) ${kind} probe failed: ${msg.split('\n')[0]}`);
          lastMessage.set(key, msg);
        },
      });
      probers.set(cmd.id, p);
      p.start();
    } catch (e) {
      log(`bad command: ${(e as Error).message}`);
    }
  }).on('close', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`${PROBER_READY}\n`);
}

// Run as a program; imported (by its tests), it only provides `check`.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main();
