// netexec's /dial endpoint: the e2e framework asks one netexec pod to reach another endpoint
// (`/dial?request=hostname&protocol=udp&host=..&port=..&tries=1`) and parses the JSON reply,
// so status codes, key order and error wording follow upstream netexec.go.
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import { isIP } from 'node:net';
import { errnoText, goAddr, goLog, isSysError, joinHostPort } from './common.js';

const dialTimeoutMs = 5000; // upstream: http.Client{Timeout: 5s} and a 5s UDP read deadline
const udpReadBuffer = 2048; // upstream reads UDP replies into a 2048-byte buffer

export interface DialResult {
  status: number;
  body: string;
}

/** encoding/json output: sorted map keys (the caller builds them sorted) and HTML-safe escapes. */
export function goJSON(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** http.Error: plain-text body with a trailing newline. */
function httpError(status: number, msg: string): DialResult {
  return { status, body: `${msg}\n` };
}

/** strconv.Atoi. */
export function goAtoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

/** net.ResolveTCPAddr/ResolveUDPAddr: IPv4 preferred, as Go picks the first IPv4 address. */
async function resolve(host: string, port: string): Promise<{ ip: string; port: number }> {
  let p = 0;
  if (port !== '') {
    if (!/^\d+$/.test(port)) throw new Error(`lookup port ${port}: unknown port`);
    p = Number(port);
    if (p > 65535) throw new Error(`address ${port}: invalid port`);
  }
  if (host === '' || isIP(host) !== 0) return { ip: host, port: p };
  try {
    const addrs = await lookup(host, { all: true });
    const pick = addrs.find((a) => a.family === 4) ?? addrs[0];
    if (pick === undefined) throw new Error('no addresses');
    return { ip: pick.address, port: p };
  } catch {
    throw new Error(`lookup ${host}: no such host`);
  }
}

/** GET http://ip:port/request with Go's client semantics: redirects followed, 5s overall timeout. */
export function dialHTTP(request: string, ip: string, port: number): Promise<string> {
  const hostPort = joinHostPort(ip, port);
  // Node rejects unescaped spaces/control characters in paths; Go escapes them when sending.
  const firstUrl = `http://${hostPort}/${request}`.replace(/[^\u0021-\u007e]/g, (c) => encodeURIComponent(c));
  const deadline = Date.now() + dialTimeoutMs;
  if (ip === '') return Promise.reject(new Error(`Get ${JSON.stringify(firstUrl)}: http: no Host in request URL`));

  const once = (url: string, redirects: number): Promise<string> =>
    new Promise((resolvePromise, reject) => {
      const u = new URL(url);
      const target = `${u.hostname.replace(/^\[|\]$/g, '')}:${u.port || '80'}`;
      let connected = false;
      let gotHeaders = false;
      const req = http.get(
        {
          host: u.hostname.replace(/^\[|\]$/g, ''),
          port: u.port || 80,
          path: url.slice(url.indexOf('/', 'http://'.length)) || '/',
          agent: false,
          headers: { 'User-Agent': 'Go-http-client/1.1' },
        },
        (res) => {
          gotHeaders = true;
          const status = res.statusCode ?? 0;
          const loc = res.headers.location;
          if ([301, 302, 303, 307, 308].includes(status) && loc !== undefined) {
            res.resume();
            if (redirects >= 10) {
              reject(new Error(`Get ${JSON.stringify(url)}: stopped after 10 redirects`));
              return;
            }
            once(new URL(loc, url).toString(), redirects + 1).then(resolvePromise, reject);
            clearTimeout(timer);
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            clearTimeout(timer);
            resolvePromise(Buffer.concat(chunks).toString('utf8'));
          });
          res.on('error', (e) => {
            clearTimeout(timer);
            reject(e);
          });
        },
      );
      req.on('socket', (s) => s.once('connect', () => (connected = true)));
      const timer = setTimeout(() => {
        const why = !connected
          ? `Get ${JSON.stringify(url)}: dial tcp ${target}: i/o timeout (Client.Timeout exceeded while awaiting headers)`
          : !gotHeaders
            ? `Get ${JSON.stringify(url)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`
            : 'context deadline exceeded (Client.Timeout or context cancellation while reading body)';
        req.destroy(new Error(why));
      }, Math.max(0, deadline - Date.now()));
      req.on('error', (e) => {
        clearTimeout(timer);
        if (e.message.startsWith('Get ') || e.message.startsWith('context deadline')) reject(e);
        else if (!connected && isSysError(e)) reject(new Error(`Get ${JSON.stringify(url)}: dial tcp ${target}: connect: ${errnoText(e)}`));
        else if (e.message === 'socket hang up') reject(new Error(`Get ${JSON.stringify(url)}: EOF`));
        else reject(new Error(`Get ${JSON.stringify(url)}: read tcp ${target}: read: ${errnoText(e)}`));
      });
    });
  return once(firstUrl, 0);
}

/** Sends request as one datagram on a connected socket and waits 5s for one reply. */
export function dialUDP(request: string, ip: string, port: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const host = ip === '' ? '127.0.0.1' : ip; // Go dials the local system for an empty host
    const sock = dgram.createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    let local = '';
    const remote = joinHostPort(host, port);
    let done = false;
    const finish = (err: Error | null, value = ''): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        sock.close();
      } catch {
        // already closed
      }
      if (err) reject(err);
      else resolvePromise(value);
    };
    const readFailed = (why: string): Error => new Error(`reading from udp connection failed. err:'${why}'`);
    const timer = setTimeout(() => finish(readFailed(`read udp ${local}->${remote}: i/o timeout`)), dialTimeoutMs);
    sock.on('error', (e) => {
      if (local === '') finish(new Error(`udp dial failed. err:dial udp ${remote}: ${errnoText(e)}`));
      else finish(readFailed(`read udp ${local}->${remote}: read: ${errnoText(e)}`));
    });
    sock.on('message', (msg) => {
      if (msg.length === 0) finish(readFailed('<nil>'));
      else finish(null, msg.subarray(0, udpReadBuffer).toString('utf8'));
    });
    sock.connect(port, host, () => {
      const a = sock.address();
      local = goAddr(a.address, a.port);
      sock.send(request, (err) => {
        if (err) finish(new Error(`udp connection write failed. err:write udp ${local}->${remote}: write: ${errnoText(err)}`));
      });
    });
  });
}

/** The whole /dial handler, given the request's query string. */
export async function handleDial(query: URLSearchParams): Promise<DialResult> {
  const host = query.get('host') ?? '';
  const port = query.get('port') ?? '';
  const request = query.get('request') ?? '';
  const protocol = query.get('protocol') ?? '';
  const tryParam = query.get('tries') ?? '';
  goLog(`GET /dial?host=${host}&protocol=${protocol}&port=${port}&request=${request}&tries=${tryParam}`);
  let tries = 1;
  if (tryParam.length > 0) {
    try {
      tries = goAtoi(tryParam);
    } catch (e) {
      return httpError(400, `tries parameter is invalid. ${(e as Error).message}`);
    }
  }
  if (request.length === 0) return httpError(400, 'request parameter not specified. <nil>');

  let dialer: (req: string, ip: string, port: number) => Promise<string>;
  switch (protocol.toLowerCase()) {
    case '':
    case 'http':
      dialer = dialHTTP;
      break;
    case 'udp':
      dialer = dialUDP;
      break;
    case 'sctp':
      // Node has no SCTP sockets; report a per-try error rather than pretending to dial.
      dialer = (_r, ip, p) => Promise.reject(new Error(`sctp dial failed. err:dial sctp ${joinHostPort(ip, p)}: protocol not supported`));
      break;
    default:
      return httpError(400, `unsupported protocol. ${protocol}`);
  }
  let addr: { ip: string; port: number };
  try {
    addr = await resolve(host, port);
  } catch (e) {
    return httpError(400, `host and/or port param are invalid. ${(e as Error).message}`);
  }

  const errors: string[] = [];
  const responses: string[] = [];
  let response = '';
  for (let i = 0; i < tries; i++) {
    try {
      response = await dialer(request, addr.ip, addr.port);
      responses.push(response);
    } catch (e) {
      response = '';
      errors.push((e as Error).message);
    }
  }
  // Upstream quirk kept on purpose: "responses" appears only if the *last* try returned data.
  const output: { errors?: string[]; responses?: string[] } = {};
  if (errors.length > 0) output.errors = errors;
  if (response.length > 0) output.responses = responses;
  return { status: 200, body: goJSON(output) };
}
