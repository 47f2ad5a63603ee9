// agnhost netexec: HTTP(S) + UDP test server used by Kubernetes network e2e tests.
// Behaviour, paths and output follow upstream test/images/agnhost/netexec/netexec.go.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { handleDial, goAtoi, goJSON } from './dial.js';
import { formatDuration, parseDuration, toMs } from './duration.js';
import { goAddr, goLog, getHostname, joinHostPort } from './common.js';
export { netexecFlags } from './netexec-flags.js';


export interface NetexecOptions {
  httpPort: number;
  udpPort: number;
  sctpPort?: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  httpOverride?: string;
  udpListenAddresses?: string;
  /** Where "all addresses" binds; undefined means `::` dual-stack (falling back to IPv4). */
  bindHost?: string;
  /** Called by /exit and /shutdown; the CLI passes process.exit. */
  exit: (code: number) => void;
}

export interface NetexecHandle {
  httpPort: number;
  udpPorts: number[];
  /** Marks SIGTERM as received so /readyz reports 503 (the CLI then exits after --delay-shutdown). */
  markTerminating(): void;
  close(): Promise<void>;
}

const processStart = process.hrtime.bigint();

/** Go's time.Now().String(): "2006-01-02 15:04:05.999999999 -0700 MST m=+0.000000001". */
export function goNow(): string {
  const d = new Date();
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const nanos = String(d.getMilliseconds() * 1e6 + Number(process.hrtime.bigint() % 1_000_000n)).padStart(9, '0').replace(/0+$/, '');
  const off = -d.getTimezoneOffset();
  const offStr = `${off < 0 ? '-' : '+'}${p(Math.floor(Math.abs(off) / 60))}${p(Math.abs(off) % 60)}`;
  const zone = off === 0 ? 'UTC' : (new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName')?.value ?? offStr);
  const mono = Number(process.hrtime.bigint() - processStart) / 1e9;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${nanos ? '.' + nanos : ''} ${offStr} ${zone} m=+${mono.toFixed(9)}`;
}

/** Go's path.Clean, used because Go's ServeMux redirects unclean paths (e.g. `//hostname`). */
export function cleanPath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  let c = '/' + out.join('/');
  if (p.endsWith('/') && c !== '/') c += '/'; // ServeMux keeps a trailing slash
  return c;
}

interface Reply {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
}

export async function startNetexec(o: NetexecOptions): Promise<NetexecHandle> {
  let udpReady = false; // upstream serverReady: set once a UDP server is listening
  let terminating = false;
  const udpSockets: dgram.Socket[] = [];
  const udpPorts: number[] = [];

  if (o.udpPort !== -1) {
    const addrs = o.udpListenAddresses ? [...new Set(o.udpListenAddresses.split(','))].sort() : [o.bindHost ?? ''];
    for (const a of addrs) {
      if (o.udpListenAddresses && isIP(a) === 0) throw new Error(`parseAddress: invalid address ${a}`);
      const sock = await bindUDP(a, o.udpPort);
      const port = sock.address().port;
      udpSockets.push(sock);
      udpPorts.push(port);
      serveUDP(sock);
      goLog(`Started UDP server on port ${a} ${port}`);
      udpReady = true;
    }
  }
  if (o.sctpPort !== undefined && o.sctpPort !== -1) {
    goLog(`SCTP is not supported by podnet's agnhost; not listening on SCTP port ${o.sctpPort}`);
  }

  const routes: Record<string, (q: URLSearchParams, req: http.IncomingMessage) => Reply | Promise<Reply>> = {
    '/': () => {
      goLog('GET /');
      return { body: `NOW: ${goNow()}` };
    },
    '/clientip': (_q, req) => {
      goLog('GET /clientip');
      return { body: goAddr(req.socket.remoteAddress, req.socket.remotePort) };
    },
    '/header': (q, req) => headerReply(q, req),
    '/dial': async (q) => handleDial(q),
    '/echo': (q) => {
      const msg = q.get('msg') ?? '';
      const code = q.get('code') ?? '';
      goLog(`GET /echo?msg=${msg}&code=${code}`);
      if (code === '') return { body: msg };
      let status: number;
      try {
        status = goAtoi(code);
      } catch {
        return { body: `argument 'code' must be an integer or empty, got ${JSON.stringify(code)}\n` };
      }
      return { status, body: msg };
    },
    '/healthz': () => {
      goLog('GET /healthz');
      return { status: udpReady ? 200 : 412 };
    },
    '/readyz': () => {
      goLog('GET /readyz');
      if (terminating) return { status: 503, body: 'shutting down' };
      return udpReady ? { body: 'ok' } : { status: 412 };
    },
    '/hostname': () => {
      goLog('GET /hostname');
      return { body: getHostname() };
    },
    '/hostName': () => {
      goLog('GET /hostName');
      return { body: getHostname() };
    },
    '/redirect': (q, req) => redirectReply(q, req),
    '/shell': (q) => shellReply(q),
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const raw = o.httpOverride ? o.httpOverride : (req.url ?? '/');
    // Split by hand: `new URL('//hostname', base)` would read "hostname" as an authority.
    const qi = raw.indexOf('?');
    const rawPath = qi >= 0 ? raw.slice(0, qi) : raw;
    const search = qi >= 0 ? raw.slice(qi) : '';
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      path = rawPath;
    }
    if (!o.httpOverride && cleanPath(path) !== path) {
      const loc = cleanPath(path) + search;
      res.writeHead(301, { Location: loc, 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<a href="${loc}">Moved Permanently</a>.\n\n`);
      return;
    }
    const send = (r: Reply): void => {
      const body = r.body ?? '';
      const headers = { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), ...r.headers };
      try {
        res.writeHead(r.status ?? 200, headers);
      } catch {
        res.writeHead(500); // Go panics on an invalid status code; the client sees the request fail
      }
      res.end(body);
    };
    const q = new URLSearchParams(search.slice(1));
    if (path === '/exit') return exitRoute(q, res);
    if (path === '/shutdown') {
      goLog('GET /shutdown');
      res.on('finish', () => o.exit(0));
      res.end();
      return;
    }
    const route = routes[path] ?? routes['/'];
    Promise.resolve(route?.(q, req) ?? {}).then(send, (e: Error) => send({ status: 500, body: `${e.message}\n` }));
  };

  // /exit: responds, then exits with ?code=; ?wait= delays, ?timeout= allows a graceful close.
  const exitRoute = (q: URLSearchParams, res: http.ServerResponse): void => {
    const w = q.get('wait') ?? '';
    const t = q.get('timeout') ?? '';
    const c = q.get('code') ?? '';
    goLog(`GET /exit?code=${c}&timeout=${t}&wait=${w}`);
    const bad = (msg: string): void => {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(msg);
    };
    let timeout = 0n;
    let wait = 0n;
    let code = 0;
    try {
      timeout = t === '' ? 0n : parseDuration(t);
    } catch {
      return bad(`argument 'timeout' must be a valid golang duration or empty, got ${JSON.stringify(t)}\n`);
    }
    try {
      wait = w === '' ? 0n : parseDuration(w);
    } catch {
      return bad(`argument 'wait' must be a valid golang duration or empty, got ${JSON.stringify(w)}\n`);
    }
    try {
      code = c === '' ? 0 : goAtoi(c);
    } catch {
      return bad(`argument 'code' must be an integer [0-127] or empty, got ${JSON.stringify(c)}\n`);
    }
    goLog(`Will begin shutdown in ${formatDuration(wait)}, allowing ${formatDuration(timeout)} for connections to close, then will exit with ${code}`);
    setTimeout(() => {
      res.on('finish', () => {
        if (timeout <= 0n) return o.exit(code);
        // Graceful: stop accepting, let in-flight requests finish, exit by the deadline at the latest.
        const force = setTimeout(() => o.exit(code), toMs(timeout));
        server.close(() => {
          clearTimeout(force);
          goLog('Graceful shutdown completed with: <nil>');
          o.exit(code);
        });
        server.closeIdleConnections();
      });
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end();
    }, toMs(wait));
  };

  const server: http.Server = o.tlsCertFile
    ? https.createServer({ cert: readFileSync(o.tlsCertFile), key: readFileSync(o.tlsKeyFile || o.tlsCertFile) }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: o.httpPort, host: o.bindHost }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const httpPort = (server.address() as AddressInfo).port;
  goLog(`Started HTTP server on port ${httpPort}`);

  return {
    httpPort,
    udpPorts,
    markTerminating: () => {
      terminating = true;
    },
    close: async () => {
      for (const s of udpSockets) s.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Binds a UDP socket like Go's ListenUDP: empty address means dual-stack `::`, else IPv4 `0.0.0.0`. */
async function bindUDP(address: string, port: number): Promise<dgram.Socket> {
  const attempt = (type: 'udp4' | 'udp6', host: string): Promise<dgram.Socket> =>
    new Promise((resolve, reject) => {
      const s = dgram.createSocket({ type, ipv6Only: false });
      s.once('error', (e) => {
        s.close();
        reject(e);
      });
      s.bind(port, host, () => {
        s.removeAllListeners('error');
        resolve(s);
      });
    });
  if (address !== '') return attempt(isIP(address) === 6 ? 'udp6' : 'udp4', address);
  try {
    return await attempt('udp6', '::');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL') return attempt('udp4', '0.0.0.0'); // IPv6 disabled in this netns
    throw e;
  }
}

/** UDP commands: "hostname", "echo <msg>", "clientip" (trimmed, lower-cased as upstream). */
function serveUDP(sock: dgram.Socket): void {
  sock.on('message', (buf, rinfo) => {
    const text = buf.subarray(0, 2048).toString('utf8').trim().toLowerCase();
    const client = joinHostPort(rinfo.address.replace(/^::ffff:(?=\d+\.)/i, ''), rinfo.port);
    let reply: string | undefined;
    if (text === 'hostname') {
      goLog('Sending udp hostName response');
      reply = getHostname();
    } else if (text.startsWith('echo ')) {
      reply = text.slice(5);
      goLog(`Echoing ${reply} to UDP client ${client}`);
    } else if (text === 'clientip') {
      goLog(`Sending clientip back to UDP client ${client}`);
      reply = client;
    } else if (text.length > 0) {
      goLog(`Unknown UDP command received from ${client}: ${text}`);
    }
    if (reply !== undefined) sock.send(reply, rinfo.port, rinfo.address);
  });
  sock.on('error', (e) => goLog(`Error occurred: failed accepting UDP connections:${e.message}`));
}

function headerReply(q: URLSearchParams, req: http.IncomingMessage): Reply {
  const key = q.get('key') ?? '';
  if (key !== '') {
    goLog(`GET /header?key=${key}`);
    return { body: req.headersDistinct[key.toLowerCase()]?.[0] ?? '' };
  }
  goLog('GET /header');
  // Go's Header map: canonical keys, sorted by encoding/json, Host removed.
  const canon = (k: string): string => k.replace(/(^|-)([a-z])/g, (_m, d: string, ch: string) => d + ch.toUpperCase());
  const entries = Object.entries(req.headersDistinct)
    .filter(([k]) => k !== 'host')
    .map(([k, v]): [string, string[]] => [canon(k), v ?? []])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { body: goJSON(Object.fromEntries(entries)) };
}

function redirectReply(q: URLSearchParams, req: http.IncomingMessage): Reply {
  const location = q.get('location') ?? '';
  const c = q.get('code') ?? '';
  goLog(`${req.method ?? 'GET'} /redirect?msg=${location}&code=${c}`);
  let status = 302;
  if (c !== '') {
    try {
      status = goAtoi(c);
    } catch {
      return { body: `argument 'code' must be an integer or empty, got ${JSON.stringify(c)}\n` };
    }
  }
  // http.Redirect resolves a relative location against the request path.
  const target = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(location) || location.startsWith('/') ? location : new URL(location, `http://x${req.url ?? '/'}`).pathname;
  const text = http.STATUS_CODES[status] ?? '';
  const body = req.method === 'GET' || req.method === 'HEAD' ? `<a href="${target.replace(/"/g, '&#34;')}">${text}</a>.\n\n` : '';
  return { status, body, headers: { Location: target, 'Content-Type': 'text/html; charset=utf-8' } };
}

function shellReply(q: URLSearchParams): Promise<Reply> {
  const cmd = q.get('shellCommand') || (q.get('cmd') ?? '');
  goLog(`GET /shell?cmd=${cmd}`);
  return new Promise((resolve) => {
    const child = execFile('/bin/sh', ['-c', cmd], { encoding: 'utf8' }, (err) => {
      const out: { error?: string; output?: string } = {};
      if (err) out.error = child.exitCode !== null ? `exit status ${child.exitCode}` : (child.signalCode ? `signal: ${child.signalCode}` : err.message);
      if (output.length > 0) out.output = output;
      resolve({ body: goJSON(out) });
    });
    // CombinedOutput: stdout and stderr interleaved in arrival order.
    let output = '';
    child.stdout?.on('data', (d: string) => (output += d));
    child.stderr?.on('data', (d: string) => (output += d));
  });
}
