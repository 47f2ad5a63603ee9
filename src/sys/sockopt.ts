// Socket options Node does not expose, through koffi (FFI into libc) on a socket's fd:
// - SO_ORIGINAL_DST (getsockopt SOL_IP 80, SOL_IPV6 IP6T_SO_ORIGINAL_DST 80): the destination a
//   connection had before an nft `redirect` rewrote it (conntrack keeps it), as Envoy and
//   Linkerd's proxy read it;
// - SO_PEERCRED: the pid/uid/gid of the process at the other end of a unix socket.
// Node keeps the fd of a TCP or pipe handle at `socket._handle.fd` on Unix (an internal, but
// stable since Node 0.x and used by the same kind of tools); a socket without one is refused.
import koffi from 'koffi';

type KoffiFunction = ReturnType<ReturnType<typeof koffi.load>['func']>;

const SOL_SOCKET = 1;
const SO_PEERCRED = 17;
const SOL_IP = 0;
const SOL_IPV6 = 41;
const SO_ORIGINAL_DST = 80;

let getsockoptFn: KoffiFunction | undefined;
function getsockopt(fd: number, level: number, name: number, size: number, what: string): Buffer {
  getsockoptFn ??= koffi.load('libc.so.6').func('int getsockopt(int fd, int level, int name, _Out_ uint8_t *val, _Inout_ uint32_t *len)');
  const buf = Buffer.alloc(size);
  const len = [size];
  if (getsockoptFn(fd, level, name, buf, len) !== 0) {
    const errno = koffi.errno();
    throw new Error(`getsockopt ${what}: errno ${errno}${errno === 2 ? ' (ENOENT: the connection was not redirected)' : ''}`);
  }
  return buf.subarray(0, len[0]);
}

/** The fd behind a net.Socket / net.Server connection. */
export function socketFd(socket: object): number {
  const fd = (socket as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('socket has no file descriptor');
  return fd;
}

export interface OriginalDst {
  address: string;
  port: number;
}

/** The pre-redirect destination of a connection accepted on a socket of `family`. */
export function originalDst(fd: number, family: 4 | 6): OriginalDst {
  if (family === 4) {
    const b = getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, 16, 'SO_ORIGINAL_DST');
    return { address: `${b[4]}.${b[5]}.${b[6]}.${b[7]}`, port: b.readUInt16BE(2) };
  }
  const b = getsockopt(fd, SOL_IPV6, SO_ORIGINAL_DST, 28, 'IP6T_SO_ORIGINAL_DST');
  const groups: string[] = [];
  for (let i = 8; i < 24; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // Compress the longest zero run as inet_ntop does, so it compares equal to Node's addresses.
  const text = groups.join(':');
  const runs = text.match(/(^|:)0(:0)+(:|$)/g) ?? [];
  const longest = runs.sort((a, b2) => b2.length - a.length)[0];
  return { address: longest ? text.replace(longest, '::') : text, port: b.readUInt16BE(2) };
}

export interface PeerCred {
  pid: number;
  uid: number;
  gid: number;
}

/** Who is at the other end of a connected unix socket (struct ucred). */
export function peerCred(fd: number): PeerCred {
  const b = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, 12, 'SO_PEERCRED');
  return { pid: b.readInt32LE(0), uid: b.readUInt32LE(4), gid: b.readUInt32LE(8) };
}
