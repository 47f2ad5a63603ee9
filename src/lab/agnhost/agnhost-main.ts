// Entry point for the lab's built-in agnhost: `node agnhost-main.js <subcommand> [flags]`.
// The lab runs this for any `registry.k8s.io/e2e-test-images/agnhost` container, passing the
// container's args unchanged, so subcommand names and flags mirror upstream cobra commands.
import { pathToFileURL } from 'node:url';
import { bindAllAddress, goLog } from './common.js';
import { connect, connectFlags } from './connect.js';
import { grpcHealthCheckingFlags } from './grpc-health-checking-flags.js';
import { FlagError, loggingFlags, parseFlags, usage } from './flags.js';
import type { FlagSpecs, ParsedFlags } from './flags.js';
import { netexecFlags, startNetexec } from './netexec.js';
import { pause } from './pause.js';
import { modeConflict, serveAfterSigtermMs, serveHostnameFlags, startServeHostname } from './serve-hostname.js';

const version = '2.53'; // the upstream agnhost release whose behaviour this mirrors

interface Subcommand {
  flags: FlagSpecs;
  /** cobra Args: exact or maximum positional count. */
  args: { exact?: number; max?: number };
  short: string;
  run(f: ParsedFlags): Promise<number | undefined>;
}

const fatal = (msg: string): number => {
  goLog(msg);
  return 1;
};

const subcommands: Record<string, Subcommand> = {
  pause: {
    flags: {},
    args: { max: 0 },
    short: 'Pauses the execution',
    run: () => pause(),
  },
  netexec: {
    flags: netexecFlags,
    args: { max: 0 },
    short: 'Creates HTTP(S) and UDP servers with various endpoints',
    run: async (f) => {
      const exit = (code: number): never => process.exit(code);
      const delay = f.int('delay-shutdown');
      let handle: { markTerminating(): void } | undefined;
      // Handlers go in before listening so an early SIGTERM still exits cleanly.
      // Upstream: SIGTERM flips /readyz to 503, then exits 0 after --delay-shutdown seconds.
      process.once('SIGTERM', () => {
        handle?.markTerminating();
        if (delay > 0) goLog(`Sleeping ${delay} seconds before terminating...`);
        setTimeout(() => exit(0), delay * 1000);
      });
      process.once('SIGINT', () => exit(0));
      try {
        handle = await startNetexec({
          httpPort: f.int('http-port'),
          udpPort: f.int('udp-port'),
          sctpPort: f.int('sctp-port'),
          tlsCertFile: f.str('tls-cert-file'),
          tlsKeyFile: f.str('tls-private-key-file'),
          httpOverride: f.str('http-override'),
          udpListenAddresses: f.str('udp-listen-addresses'),
          bindHost: bindAllAddress(),
          exit,
        });
      } catch (e) {
        return fatal(`Error occurred: ${(e as Error).message}`);
      }
      return undefined; // keep serving
    },
  },
  'serve-hostname': {
    flags: serveHostnameFlags,
    args: { max: 0 },
    short: 'Serves the hostname',
    run: async (f) => {
      const opts = { tcp: f.bool('tcp'), udp: f.bool('udp'), http: f.bool('http'), close: f.bool('close'), port: f.int('port') };
      const conflict = modeConflict(opts);
      if (conflict !== undefined) return fatal(conflict);
      // Upstream keeps serving for 60s after SIGTERM so that endpoint removal can be observed.
      process.once('SIGTERM', () => {
        goLog('Shutting down after receiving signal: terminated.');
        goLog('Awaiting pod deletion.');
        setTimeout(() => process.exit(0), serveAfterSigtermMs);
      });
      process.once('SIGINT', () => process.exit(0));
      try {
        await startServeHostname({ ...opts, bindHost: bindAllAddress() });
      } catch (e) {
        return fatal(`Error from listen: ${(e as Error).message}`);
      }
      return undefined;
    },
  },
  'grpc-health-checking': {
    flags: grpcHealthCheckingFlags,
    args: { max: 0 },
    short: 'Starts a simple grpc health checking endpoint',
    run: async (f) => {
      process.once('SIGTERM', () => process.exit(0));
      process.once('SIGINT', () => process.exit(0));
      try {
        // Loaded on use: gRPC and protobuf cost every other agnhost process (30 in the demo) start-up time.
        const { startGrpcHealthChecking } = await import('./grpc-health-checking.js');
        await startGrpcHealthChecking({
          port: f.int('port'),
          httpPort: f.int('http-port'),
          delayUnhealthySec: f.int('delay-unhealthy-sec'),
          service: f.str('service'),
          bindHost: bindAllAddress(),
        });
      } catch (e) {
        return fatal(`Error while starting the listening service ${(e as Error).message}`);
      }
      return undefined;
    },
  },
  connect: {
    flags: connectFlags,
    args: { exact: 1 },
    short: 'Attempts a TCP or UDP connection and returns useful errors',
    run: async (f) => {
      const r = await connect(f.args[0] ?? '', f.str('protocol'), f.duration('timeout'), f.str('udp-data'));
      process.stderr.write(r.message);
      return r.code;
    },
  },
};

function help(): string {
  const lines = Object.entries(subcommands).map(([n, c]) => `  ${n.padEnd(16)}${c.short}`);
  return `Usage:\n  agnhost [command] [flags]\n\nAvailable Commands:\n${lines.join('\n')}\n`;
}

/** Runs one invocation; resolves to an exit code, or undefined for a long-running server. */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(help());
    return 0;
  }
  if (name === '--version') {
    process.stdout.write(`app version ${version}\n`);
    return 0;
  }
  const cmd = Object.hasOwn(subcommands, name) ? subcommands[name] : undefined;
  if (cmd === undefined) {
    process.stderr.write(`Error: unknown or unsupported agnhost subcommand "${name}" (podnet implements: ${Object.keys(subcommands).join(', ')})\n`);
    return 1;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(`Usage:\n  agnhost ${name} [flags]\n\nFlags:\n${usage(cmd.flags)}\n`);
    return 0;
  }
  let flags: ParsedFlags;
  try {
    flags = parseFlags(rest, { ...loggingFlags, ...cmd.flags });
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    process.stderr.write(`Error: ${e.message}\n`);
    return 1;
  }
  const n = flags.args.length;
  if (cmd.args.exact !== undefined && n !== cmd.args.exact) {
    process.stderr.write(`Error: accepts ${cmd.args.exact} arg(s), received ${n}\n`);
    return 1;
  }
  if (cmd.args.max !== undefined && n > cmd.args.max) {
    process.stderr.write(`Error: accepts at most ${cmd.args.max} arg(s), received ${n}\n`);
    return 1;
  }
  return cmd.run(flags);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== undefined) process.exit(code);
    },
    (e: unknown) => {
      process.stderr.write(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
