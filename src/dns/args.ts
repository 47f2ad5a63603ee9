// Command line of the DNS pod's program (dns-main.ts). Pure, so every flag and error is unit-tested.
import { parseUpstream, UpstreamError, type Upstream } from './forward.js';
import { ipFamily } from './ip.js';
import type { PodsMode } from './zone.js';

export class DnsArgsError extends Error {
  readonly code = 'EDNSARGS';
}

export interface DnsArgs {
  apiSocket: string;
  domain: string;
  upstreams: Upstream[];
  port: number;
  readyPort: number;
  healthPort: number;
  /** TTL of cluster answers (CoreDNS kubernetes `ttl`). */
  ttl: number;
  pods: PodsMode;
  /** Addresses to serve on (CoreDNS `bind`); empty means every address of both families. */
  bind: string[];
}

export const DNS_USAGE =
  'usage: dns-main --api-socket PATH [--domain cluster.local] [--upstream IP[:PORT]]... [--port 53] ' +
  '[--ready-port 8181] [--health-port 8080] [--ttl 30] [--pods insecure|verified|disabled] [--bind IP]...';

const FLAGS = ['api-socket', 'domain', 'upstream', 'port', 'ready-port', 'health-port', 'ttl', 'pods', 'bind'] as const;
const REPEATABLE: ReadonlySet<Flag> = new Set(['upstream', 'bind']);
type Flag = (typeof FLAGS)[number];

function port(flag: string, text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new DnsArgsError(`--${flag}: ${text} is not a port number (0-65535)`);
  return Number(text);
}

/** Parses argv (without node and the script). `--flag value` and `--flag=value` both work. */
export function parseDnsArgs(argv: string[]): DnsArgs {
  const seen = new Map<Flag, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m && /^-conf(=|$)/.test(arg)) {
      throw new DnsArgsError('-conf: podnet\'s DNS reads no Corefile; configure it with --api-socket, --domain and --upstream');
    }
    if (!m) throw new DnsArgsError(`unexpected argument ${arg}`);
    const flag = m[1] as Flag;
    if (!FLAGS.includes(flag)) throw new DnsArgsError(`unknown flag --${m[1]}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined || (m[2] === undefined && value.startsWith('--'))) throw new DnsArgsError(`--${flag} needs a value`);
    if (!REPEATABLE.has(flag) && seen.has(flag)) throw new DnsArgsError(`--${flag} given twice`);
    seen.set(flag, [...(seen.get(flag) ?? []), value]);
  }
  const one = (flag: Flag): string | undefined => seen.get(flag)?.[0];

  const apiSocket = one('api-socket');
  if (!apiSocket) throw new DnsArgsError('--api-socket is required (the lab daemon API, /run/podnet/<lab>/api.sock)');
  const domain = (one('domain') ?? 'cluster.local').toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(domain)) {
    throw new DnsArgsError(`--domain: ${domain} is not a DNS name`);
  }
  const upstreams = (seen.get('upstream') ?? []).map((u) => {
    try {
      return parseUpstream(u);
    } catch (err) {
      if (err instanceof UpstreamError) throw new DnsArgsError(err.message);
      throw err;
    }
  });
  const ttlText = one('ttl') ?? '30';
  if (!/^\d{1,7}$/.test(ttlText)) throw new DnsArgsError(`--ttl: ${ttlText} is not a number of seconds`);
  const pods = one('pods') ?? 'insecure';
  if (pods !== 'insecure' && pods !== 'verified' && pods !== 'disabled') {
    throw new DnsArgsError(`--pods: ${pods} is not one of insecure, verified, disabled`);
  }
  const bind = seen.get('bind') ?? [];
  for (const b of bind) if (ipFamily(b) === undefined) throw new DnsArgsError(`--bind: ${b} is not an IP address`);
  return {
    apiSocket,
    domain,
    upstreams,
    port: port('port', one('port') ?? '53'),
    readyPort: port('ready-port', one('ready-port') ?? '8181'),
    healthPort: port('health-port', one('health-port') ?? '8080'),
    ttl: Number(ttlText),
    pods,
    bind,
  };
}
