// The proxy server: one socket listener per route-table listener port. Plain ports carry HTTP/1.1
// and h2c with prior knowledge (told apart by the HTTP/2 connection preface); TLS ports pick a
// certificate by SNI and a protocol by ALPN (h2, http/1.1). Connections are handed to an
// http.Server or http2 server that never listens itself, so one port serves both protocols.
// setTable compiles first and swaps with one assignment: a bad table changes nothing, and
// requests in flight finish on the table they started with.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { RouteTable } from '../route-table.js';
import { formatAccessRecord, type AccessLogSink } from './access-log.js';
import type { BalancePolicy } from './balance.js';
import { EndpointStates } from './clusters.js';
import { handleRequest, type HandlerDeps, type ListenerInfo } from './handler.js';
import { ProxyMetrics } from './metrics.js';
import { buildSnapshot, type Snapshot } from './snapshot.js';
import { Upstreams, type UpstreamOptions } from './upstreams.js';
import { handleUpgrade } from './websocket.js';

export interface ProxyOptions {
  /** Bind address; default `::` (dual stack). */
  host?: string;
  /** Listener port -> port actually bound (0: any free port; tests use it). Default: the same. */
  listenPorts?: Record<number, number>;
  balance?: BalancePolicy;
  maxBodyBytes?: number;
  maxHeaderBytes?: number;
  /** A client must finish its request headers within this time (slowloris), and the whole request within requestTimeoutMs. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  tlsHandshakeTimeoutMs?: number;
  upstream?: UpstreamOptions;
  log?: AccessLogSink;
  metrics?: ProxyMetrics;
  random?: () => number;
}

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

interface Bound {
  protocol: 'HTTP' | 'HTTPS';
  info: ListenerInfo;
  server: net.Server;
  h1: http.Server;
  h2: http2.Http2Server;
  defaultPem?: string;
}

export class ProxyServer {
  readonly metrics: ProxyMetrics;
  private snap: Snapshot | undefined;
  private readonly states = new EndpointStates();
  private readonly upstreams: Upstreams;
  private readonly bound = new Map<number, Bound>();
  private readonly sockets = new Set<Duplex>();
  private readonly deps: HandlerDeps;

  constructor(private readonly opts: ProxyOptions = {}) {
    this.metrics = opts.metrics ?? new ProxyMetrics();
    this.upstreams = new Upstreams(opts.upstream);
    this.deps = {
      snapshot: () => this.snap as Snapshot,
      upstreams: this.upstreams,
      metrics: this.metrics,
      log: opts.log,
      random: opts.random ?? Math.random,
      options: { maxBodyBytes: opts.maxBodyBytes ?? 10 * 1024 * 1024, maxHeaderBytes: opts.maxHeaderBytes ?? 16 * 1024 },
    };
  }

  /** The table in use. */
  get table(): RouteTable | undefined {
    return this.snap?.table;
  }

  /** Compiles and swaps in a table, then opens and closes listeners to match it. */
  async setTable(table: RouteTable): Promise<void> {
    const next = buildSnapshot(table, this.states, this.opts.balance ?? 'p2c');
    this.snap = next;
    const wanted = new Map(table.listeners.map((l) => [l.port, l]));
    for (const [port, b] of this.bound) {
      const l = wanted.get(port);
      if (!l || l.protocol !== b.protocol) this.unbind(port, b);
    }
    for (const l of table.listeners) {
      const b = this.bound.get(l.port);
      if (b) {
        b.info.name = l.name;
        if (l.protocol === 'HTTPS') this.setDefaultCert(b, l.tls?.certificates.find((c) => c.name === l.tls?.defaultCertificate));
      } else await this.bind(l.name, l.port, l.protocol, l.tls?.certificates.find((c) => c.name === l.tls?.defaultCertificate));
    }
    this.upstreams.retain(next.endpointKeys);
    this.states.retain(next.endpointKeys);
  }

  /** The port a listener is bound to (differs from the table's under `listenPorts`). */
  boundPort(listenerPort: number): number | undefined {
    const a = this.bound.get(listenerPort)?.server.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  async close(): Promise<void> {
    for (const [port, b] of this.bound) this.unbind(port, b);
    for (const s of this.sockets) s.destroy();
    await this.upstreams.close();
  }

  private innerServers(info: ListenerInfo): { h1: http.Server; h2: http2.Http2Server } {
    const o = this.opts;
    const h1 = http.createServer({
      maxHeaderSize: o.maxHeaderBytes ?? 16 * 1024,
      headersTimeout: o.headersTimeoutMs ?? 10_000,
      requestTimeout: o.requestTimeoutMs ?? 60_000,
      keepAliveTimeout: o.keepAliveTimeoutMs ?? 60_000,
      connectionsCheckingInterval: Math.min(1000, Math.max(50, (o.headersTimeoutMs ?? 10_000) / 4)),
    }, (req, res) => void handleRequest(this.deps, info, req, res));
    h1.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => handleUpgrade(this.deps, info, req, socket, head));
    h1.on('clientError', (err: Error & { code?: string }, socket: Duplex) => this.clientError(info, err, socket));
    // http.Server starts its header/request timeout checks on 'listening'; this one never listens
    // (connections are handed to it), so start them by hand.
    h1.emit('listening');
    const h2 = http2.createServer({ settings: { maxHeaderListSize: 2 * (o.maxHeaderBytes ?? 16 * 1024) } }, (req, res) => void handleRequest(this.deps, info, req, res));
    h2.on('sessionError', () => undefined);
    h2.setTimeout(o.keepAliveTimeoutMs ?? 60_000);
    return { h1, h2 };
  }

  private async bind(name: string, port: number, protocol: 'HTTP' | 'HTTPS', defaultCert?: { certPem: string; keyPem: string }): Promise<void> {
    const info: ListenerInfo = { name, port, scheme: protocol === 'HTTPS' ? 'https' : 'http' };
    const { h1, h2 } = this.innerServers(info);
    let server: net.Server;
    if (protocol === 'HTTPS') {
      const t = tls.createServer({
        noDelay: true,
        ALPNProtocols: ['h2', 'http/1.1'],
        handshakeTimeout: this.opts.tlsHandshakeTimeoutMs ?? 10_000,
        SNICallback: (servername, cb) => {
          const ctx = this.snap?.tls.get(port)?.select(servername);
          if (ctx) cb(null, ctx);
          else cb(new Error(`no certificate for ${servername}`));
        },
      });
      t.on('secureConnection', (s: tls.TLSSocket) => (s.alpnProtocol === 'h2' ? h2 : h1).emit('connection', s));
      // Garbage, scanners and failed handshakes: drop the connection, nothing else.
      t.on('tlsClientError', (_err, s) => s.destroy());
      server = t;
    } else {
      // noDelay: a response goes out as head and body writes; with Nagle on, the second waits for
      // the client's delayed ACK (~40 ms). http.Server sets it on sockets it accepts itself, but
      // these sockets are accepted here and handed over.
      server = net.createServer({ noDelay: true }, (s) => this.sniff(s, h1, h2));
    }
    server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => s.destroy());
    });
    const b: Bound = { protocol, info, server, h1, h2 };
    if (defaultCert) this.setDefaultCert(b, defaultCert);
    const bindPort = this.opts.listenPorts?.[port] ?? port;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: bindPort, host: this.opts.host ?? '::' }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => undefined);
    this.bound.set(port, b);
  }

  private setDefaultCert(b: Bound, cert?: { certPem: string; keyPem: string }): void {
    if (!cert || cert.certPem === b.defaultPem) return;
    (b.server as tls.Server).setSecureContext({ cert: cert.certPem, key: cert.keyPem });
    b.defaultPem = cert.certPem;
  }

  /** Plain ports: the HTTP/2 connection preface means h2c (prior knowledge), anything else HTTP/1. */
  private sniff(socket: net.Socket, h1: http.Server, h2: http2.Http2Server): void {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), this.opts.headersTimeoutMs ?? 10_000);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const n = Math.min(buf.length, H2_PREFACE.length);
      const isH2 = buf.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
      if (isH2 && buf.length < H2_PREFACE.length) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      socket.unshift(buf);
      (isH2 ? h2 : h1).emit('connection', socket);
      process.nextTick(() => socket.resume());
    };
    socket.on('data', onData);
    socket.once('close', () => clearTimeout(timer));
  }

  /** HTTP/1 parse errors: the status the parser's complaint deserves, then the connection ends. */
  private clientError(info: ListenerInfo, err: Error & { code?: string }, socket: Duplex): void {
    const code = err.code ?? '';
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : code === 'ECONNRESET' ? 0 : 400;
    if (status && socket.writable) {
      const body = `${http.STATUS_CODES[status]}: ${code || err.message}\n`;
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      this.deps.log?.(formatAccessRecord({ time: new Date().toISOString(), listener: info.name, route: '-', method: '-', host: '-', path: '-', proto: 'HTTP/1.1', status, upstream: '-', duration_ms: 0, bytes: 0, detail: code || err.message }));
      this.metrics.observe(info.name, '-', '-', status, 0);
    }
    socket.destroy();
  }

  private unbind(port: number, b: Bound): void {
    this.bound.delete(port);
    b.server.close();
    b.h1.closeIdleConnections();
    b.h1.close();
    b.h2.close();
  }
}
