// Helpers shared by the subcommands so their output matches what Go's log/net packages print,
// because e2e tests parse these strings (e.g. `ip:port` from /clientip).
import { hostname as osHostname } from 'node:os';
import { getSystemErrorMap } from 'node:util';

/** The pod name: the lab gives each pod its own UTS namespace. */
export function getHostname(): string {
  return osHostname();
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Go's log.Printf to stderr: "2006/01/02 15:04:05 message". */
export function goLog(msg: string): void {
  const d = new Date();
  const ts = `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  process.stderr.write(`${ts} ${msg}${msg.endsWith('\n') ? '' : '\n'}`);
}

/** Go prints IPv4-mapped IPv6 addresses (from dual-stack sockets) as plain IPv4. */
export function goIP(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m?.[1] ?? ip;
}

/** net.JoinHostPort: brackets around hosts containing a colon. */
export function joinHostPort(host: string, port: string | number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** net.Addr.String() of a peer, as Go prints it. */
export function goAddr(ip: string | undefined, port: number | undefined): string {
  return joinHostPort(goIP(ip ?? ''), port ?? 0);
}

/** net.SplitHostPort with Go's error messages. */
export function splitHostPort(hostport: string): [string, string] {
  const fail = (why: string): Error => new Error(`address ${hostport}: ${why}`);
  const i = hostport.lastIndexOf(':');
  if (i < 0) throw fail('missing port in address');
  let host: string;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) throw fail("missing ']' in address");
    if (end + 1 === hostport.length) throw fail('missing port in address');
    if (end + 1 !== i) throw fail(hostport[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
    host = hostport.slice(1, end);
    if (host.includes('[') || hostport.slice(end + 1).includes(']')) throw fail("unexpected '[' in address");
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) throw fail('too many colons in address');
    if (host.includes('[') || host.includes(']')) throw fail("unexpected '[' in address");
  }
  return [host, hostport.slice(i + 1)];
}

// Go prints strerror(3) text; libuv's wording differs for a few codes, so those are spelled out.
const goErrnoText: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  ETIMEDOUT: 'connection timed out',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
  EPIPE: 'broken pipe',
  EAFNOSUPPORT: 'address family not supported by protocol',
};

export interface SysError {
  code?: string;
  errno?: number;
  syscall?: string;
  message: string;
}

export function isSysError(e: unknown): e is SysError {
  return e instanceof Error;
}

/** strerror-like text for a Node system error. */
export function errnoText(e: SysError): string {
  if (e.code !== undefined && goErrnoText[e.code] !== undefined) return goErrnoText[e.code] ?? '';
  if (typeof e.errno === 'number') {
    const entry = getSystemErrorMap().get(e.errno);
    if (entry !== undefined) return entry[1];
  }
  return e.message;
}

/** Address to bind "all addresses" on; PODNET_AGNHOST_BIND_ADDRESS is a test hook only. */
export function bindAllAddress(): string | undefined {
  const v = process.env['PODNET_AGNHOST_BIND_ADDRESS'];
  return v === undefined || v === '' ? undefined : v;
}
