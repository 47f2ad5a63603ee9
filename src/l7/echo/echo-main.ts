// echo-basic: podnet's implementation of the Gateway API conformance echo server image
// (gcr.io/k8s-staging-gateway-api/echo-basic). Same ports and environment as upstream:
// HTTP_PORT (3000), H2C_PORT (3001, HTTP/2 with prior knowledge), HTTPS_PORT (8443, only when
// TLS_SERVER_CERT and TLS_SERVER_PRIVKEY name PEM files); NAMESPACE, INGRESS_NAME, SERVICE_NAME,
// POD_NAME fill the context. /health answers OK, /status/NNN answers NNN, /ws echoes WebSocket
// messages, everything else gets the JSON description of the request (src/l7/echo/echo.ts).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import { echoBody, echoSetHeaders, parseGoDuration, type EchoContext, type EchoTls } from './echo.js';

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

export interface EchoOptions {
  httpPort: number;
  h2cPort: number;
  httpsPort: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  context: EchoContext;
  host?: string;
}

export interface EchoHandle {
  ports: { http: number; h2c: number; https?: number };
  close(): Promise<void>;
}

function tlsOf(req: Req): EchoTls | undefined {
  const s = req.socket as TLSSocket;
  if (!s.encrypted) return undefined;
  return {
    version: s.getProtocol() ?? '',
    serverName: typeof s.servername === 'string' ? s.servername : '',
    ...(s.alpnProtocol ? { negotiatedProtocol: s.alpnProtocol } : {}),
    cipherSuite: s.getCipher()?.standardName ?? '',
  };
}

function handler(ctx: EchoContext, h2cOnly = false) {
  return (req: Req, res: Res): void => {
    const url = req.url ?? '/';
    const path = url.split('?')[0].replace(/\/\//g, '/');
    if (h2cOnly && req.httpVersionMajor !== 2) return void res.writeHead(400).end('Expected h2c request');
    if (path === '/health') return void res.writeHead(200).end('OK');
    if (path.startsWith('/status/')) {
      const m = /^\/status\/(\d\d\d)$/.exec(url);
      return void res.writeHead(m ? Number(m[1]) : 400).end();
    }
    const delay = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '').get('delay');
    const ms = delay ? parseGoDuration(delay) : 0;
    if (ms === undefined) {
      res.writeHead(500, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' });
      return void res.end(JSON.stringify({ message: `time: invalid duration "${delay}"` }));
    }
    const authority = req.httpVersionMajor === 2 ? (req.headers[':authority'] as string | undefined) : undefined;
    const body = echoBody(
      { requestUri: url, host: authority ?? req.headers.host ?? '', method: req.method ?? '', proto: req.httpVersionMajor === 2 ? 'HTTP/2.0' : `HTTP/${req.httpVersion}`, rawHeaders: req.rawHeaders, tls: tlsOf(req) },
      ctx,
    );
    setTimeout(() => {
      for (const [k, v] of echoSetHeaders(req.rawHeaders)) res.setHeader(k, v);
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-content-type-options', 'nosniff');
      res.end(body);
    }, Math.max(0, ms));
  };
}

function listen(server: http.Server | http2.Http2Server | http2.Http2SecureServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve(a && typeof a === 'object' ? a.port : port);
    });
  });
}

export async function startEcho(o: EchoOptions): Promise<EchoHandle> {
  const host = o.host ?? '::';
  const h = handler(o.context);
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  const onUpgrade = (req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== '/ws') return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  const plain = http.createServer(h);
  plain.on('upgrade', onUpgrade);
  const h2c = http2.createServer(handler(o.context, true));
  const servers: (http.Server | http2.Http2Server | http2.Http2SecureServer)[] = [plain, h2c];
  const ports: EchoHandle['ports'] = { http: await listen(plain, o.httpPort, host), h2c: await listen(h2c, o.h2cPort, host) };
  if (o.tlsCertFile && o.tlsKeyFile) {
    const secure = http2.createSecureServer({ cert: readFileSync(o.tlsCertFile), key: readFileSync(o.tlsKeyFile), allowHTTP1: true }, h);
    secure.on('upgrade', onUpgrade);
    servers.push(secure);
    ports.https = await listen(secure, o.httpsPort, host);
  }
  return {
    ports,
    close: async () => {
      wss.close();
      for (const s of servers) {
        if ('closeAllConnections' in s) s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    },
  };
}

function envPort(name: string, dflt: number): number {
  const v = process.env[name];
  const n = v ? Number(v) : dflt;
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`echo-basic: ${name}=${v} is not a port\n`);
    process.exit(2);
  }
  return n;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const opts: EchoOptions = {
    httpPort: envPort('HTTP_PORT', 3000),
    h2cPort: envPort('H2C_PORT', 3001),
    httpsPort: envPort('HTTPS_PORT', 8443),
    tlsCertFile: process.env.TLS_SERVER_CERT || undefined,
    tlsKeyFile: process.env.TLS_SERVER_PRIVKEY || undefined,
    context: { namespace: process.env.NAMESPACE ?? '', ingress: process.env.INGRESS_NAME ?? '', service: process.env.SERVICE_NAME ?? '', pod: process.env.POD_NAME ?? '' },
  };
  startEcho(opts).then(
    (h) => {
      process.stdout.write(`Starting server, listening on port ${h.ports.http} (http)\nStarting server, listening on port ${h.ports.h2c} (h2c)\n`);
      if (h.ports.https) process.stdout.write(`Starting server, listening on port ${h.ports.https} (https)\n`);
      const stop = () => void h.close().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    },
    (err: Error) => {
      process.stderr.write(`echo-basic: failed to start listening: ${err.message}\n`);
      process.exit(1);
    },
  );
}
