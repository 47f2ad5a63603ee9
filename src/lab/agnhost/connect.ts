// agnhost connect: one TCP/UDP connection attempt whose failure is reported on stderr with a
// fixed prefix (UNKNOWN, TIMEOUT, DNS, REFUSED, OTHER) that network policy e2e tests match on.
// Follows upstream test/images/agnhost/connect/connect.go, including exit code 1 on any failure.
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { toMs } from './duration.js';
import { errnoText, goAddr, joinHostPort, splitHostPort } from './common.js';
import type { FlagSpecs } from './flags.js';

export const connectFlags: FlagSpecs = {
  timeout: { kind: 'duration', default: 0n, usage: 'Maximum time before returning an error' },
  protocol: { kind: 'string', default: 'tcp', usage: 'tcp, udp or sctp' },
  'udp-data': { kind: 'string', default: 'hostname', usage: 'The UDP payload send to the server' },
  'sctp-data': { kind: 'string', default: 'hostname', usage: 'The SCTP payload send to the server' },
};

export interface ConnectResult {
  code: number;
  /** What goes to stderr; empty on success (upstream prints nothing). */
  message: string;
}

const fail = (message: string): ConnectResult => ({ code: 1, message: `${message}\n` });

/** net.ResolveTCPAddr/ResolveUDPAddr; a failure is reported with the DNS prefix. */
async function resolve(dest: string): Promise<{ ip: string; port: number }> {
  const [host, portText] = splitHostPort(dest);
  if (portText !== '' && !/^\d+$/.test(portText)) throw new Error(`lookup port ${portText}: unknown port`);
  const port = portText === '' ? 0 : Number(portText);
  if (port > 65535) throw new Error(`address ${portText}: invalid port`);
  if (host === '') return { ip: '127.0.0.1', port }; // Go dials the local system
  if (net.isIP(host) !== 0) return { ip: host, port };
  try {
    const addrs = await lookup(host, { all: true });
    const pick = addrs.find((a) => a.family === 4) ?? addrs[0];
    if (pick !== undefined) return { ip: pick.address, port };
  } catch {
    // fall through to Go's wording
  }
  throw new Error(`lookup ${host}: no such host`);
}

export async function connect(dest: string, protocol: string, timeoutNs: bigint, udpData: string): Promise<ConnectResult> {
  switch (protocol) {
    case '':
    case 'tcp':
      return connectTCP(dest, timeoutNs);
    case 'udp':
      return connectUDP(dest, timeoutNs, udpData);
    case 'sctp':
      return fail("OTHER: SCTP is not supported by podnet's agnhost");
    default:
      return { code: 1, message: `Unsupported protocol\n${protocol}` }; // upstream's Fprint output
  }
}

/** Upstream reports any lookup failure as `DNS: ...` before it dials. */
async function resolveOrFail(dest: string): Promise<{ ip: string; port: number } | ConnectResult> {
  try {
    return await resolve(dest);
  } catch (e) {
    return fail(`DNS: ${(e as Error).message}`);
  }
}

async function connectTCP(dest: string, timeoutNs: bigint): Promise<ConnectResult> {
  try {
    splitHostPort(dest);
  } catch (e) {
    return fail(`UNKNOWN: ${(e as Error).message}`);
  }
  const addr = await resolveOrFail(dest);
  if ('code' in addr) return addr;
  return new Promise((done) => {
    const sock = net.connect({ host: addr.ip, port: addr.port });
    const timer = timeoutNs > 0n ? setTimeout(() => finish(fail('TIMEOUT')), toMs(timeoutNs)) : undefined;
    function finish(r: ConnectResult): void {
      clearTimeout(timer);
      sock.destroy();
      done(r);
    }
    sock.once('connect', () => finish({ code: 0, message: '' }));
    sock.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') finish(fail('REFUSED'));
      else if (e.code === 'ETIMEDOUT') finish(fail('TIMEOUT')); // Go's Errno.Timeout() covers ETIMEDOUT
      else finish(fail(`OTHER: dial tcp ${joinHostPort(addr.ip, addr.port)}: connect: ${errnoText(e)}`));
    });
  });
}

/**
 * UDP has no handshake, so upstream writes udp-data plus "\n" and waits for any reply: a reply
 * means success, an ICMP port-unreachable surfaces as REFUSED, silence as TIMEOUT (only when
 * --timeout is set; with 0 upstream waits forever, and so do we).
 */
async function connectUDP(dest: string, timeoutNs: bigint, data: string): Promise<ConnectResult> {
  const addr = await resolveOrFail(dest);
  if ('code' in addr) return addr;
  return new Promise((done) => {
    const sock = dgram.createSocket(net.isIP(addr.ip) === 6 ? 'udp6' : 'udp4');
    const remote = joinHostPort(addr.ip, addr.port);
    let local = '';
    let op = 'dial';
    let finished = false;
    const timer = timeoutNs > 0n ? setTimeout(() => finish(fail(`TIMEOUT: ${op} udp ${local}->${remote}: i/o timeout`)), toMs(timeoutNs)) : undefined;
    function finish(r: ConnectResult): void {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      try {
        sock.close();
      } catch {
        // already closed
      }
      done(r);
    }
    const classify = (e: NodeJS.ErrnoException): ConnectResult => {
      const err = `${op} udp ${local}->${remote}: ${op}: ${errnoText(e)}`;
      if (e.code === 'ECONNREFUSED') return fail(`REFUSED: ${err}`);
      return fail(`UNKNOWN: ${err}`);
    };
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (op === 'dial') finish(fail(`OTHER: dial udp ${remote}: ${errnoText(e)}`));
      else finish(classify(e));
    });
    sock.on('message', (msg) => {
      if (msg.length === 0) finish(fail('OTHER: No data received from the server. Cannot guarantee the server received the request.'));
      else finish({ code: 0, message: '' });
    });
    sock.connect(addr.port, addr.ip, () => {
      const a = sock.address();
      local = goAddr(a.address, a.port);
      op = 'write';
      sock.send(`${data}\n`, (err) => {
        if (err) finish(classify(err));
        else op = 'read';
      });
    });
  });
}
