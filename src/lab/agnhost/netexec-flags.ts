// netexec's flags, apart from the server so that the lab can read a container's netexec flags
// (to pick the native netexec, src/lab/images.ts) without loading the server.
import { loggingFlags, parseFlags, type FlagSpecs } from './flags.js';

export const netexecFlags: FlagSpecs = {
  'http-port': { kind: 'int', default: 8080, usage: 'HTTP Listen Port' },
  'udp-port': { kind: 'int', default: 8081, usage: 'UDP Listen Port (-1 disables)' },
  'sctp-port': { kind: 'int', default: -1, usage: 'SCTP Listen Port (not supported by podnet)' },
  'tls-cert-file': { kind: 'string', default: '', usage: 'x509 certificate for HTTPS' },
  'tls-private-key-file': { kind: 'string', default: '', usage: 'private key matching --tls-cert-file' },
  'http-override': { kind: 'string', default: '', usage: 'always serve this path & params' },
  'udp-listen-addresses': { kind: 'string', default: '', usage: 'comma separated IPs for the UDP servers' },
  'delay-shutdown': { kind: 'int', default: 0, usage: 'seconds to delay shutdown on SIGTERM' },
};

/** The flags the native netexec (src/lab/netexec/) implements; anything else runs the TS version. */
const NATIVE_FLAGS = new Set(['http-port', 'udp-port', 'sctp-port', 'delay-shutdown', 'http-override']);

/**
 * The native netexec's flags for a netexec command line (the arguments after `netexec`), or
 * undefined when the TypeScript netexec must run it: TLS, --udp-listen-addresses, SCTP, positional
 * arguments, or flags that do not parse (the TS version prints agnhost's error for those).
 * klog's logging flags (-v and the rest) change only log verbosity and are dropped.
 */
export function nativeNetexecArgs(args: readonly string[]): string[] | undefined {
  let f;
  try {
    f = parseFlags(args, { ...loggingFlags, ...netexecFlags });
  } catch {
    return undefined;
  }
  if (f.args.length > 0) return undefined;
  for (const name of f.changed) if (!(name in loggingFlags) && !NATIVE_FLAGS.has(name)) return undefined;
  if (f.int('sctp-port') !== -1) return undefined;
  const out = [`--http-port=${f.int('http-port')}`, `--udp-port=${f.int('udp-port')}`, `--delay-shutdown=${f.int('delay-shutdown')}`];
  if (f.str('http-override') !== '') out.push(`--http-override=${f.str('http-override')}`);
  return out;
}
