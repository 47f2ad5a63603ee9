// The one place that runs host programs. Everything that changes the host goes through here, so a
// failure always carries the command line and its stderr, and tests can see what was run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface RunOptions {
  /** Written to the program's stdin (then closed). */
  input?: string;
  /** Run inside this network namespace: a name under /run/netns or an absolute path (via nsenter). */
  netns?: string;
  env?: NodeJS.ProcessEnv;
  /** Resolve instead of throwing when the program exits non-zero. */
  allowFail?: boolean;
  timeoutMs?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A host program failed; `message` is one line naming the command and its stderr. */
export class CommandError extends Error {
  readonly code = 'ECOMMAND';
  constructor(
    readonly argv: string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`${argv.join(' ')}: ${stderr.trim().split('\n').slice(-3).join('; ') || `exit ${exitCode}`}`);
  }
}

/** A required program is not installed; names the Debian package that ships it. */
export class MissingToolError extends Error {
  readonly code = 'EMISSINGTOOL';
  constructor(readonly tool: string) {
    super(`${tool} not found: install the Debian package ${debianPackageOf(tool)} (apt-get install ${debianPackageOf(tool)})`);
  }
}

const packages: Record<string, string> = {
  ip: 'iproute2', bridge: 'iproute2', nft: 'nftables', conntrack: 'conntrack', iperf3: 'iperf3', dig: 'dnsutils',
  nsenter: 'util-linux', unshare: 'util-linux', mount: 'mount', umount: 'mount', sysctl: 'procps', cc: 'gcc',
  iptables: 'iptables', dnsperf: 'dnsperf',
};

export function debianPackageOf(tool: string): string {
  return packages[tool] ?? tool;
}

export function netnsPath(netns: string): string {
  return netns.startsWith('/') ? netns : `/run/netns/${netns}`;
}

/** argv that runs `argv` inside `netns` (no mount namespace games: `ip netns exec` does those). */
export function inNetns(netns: string | undefined, argv: string[]): string[] {
  return netns ? ['nsenter', `--net=${netnsPath(netns)}`, '--', ...argv] : argv;
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const argv = inNetns(opts.netns, [cmd, ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(e.code === 'ENOENT' ? new MissingToolError(argv[0]) : e);
    });
    child.on('close', (code, signal) => {
      const result = {
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      };
      if (result.code !== 0 && !opts.allowFail) reject(new CommandError(argv, result.code, result.stderr));
      else resolve(result);
    });
    child.stdin.on('error', () => undefined); // the program may exit without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * Runs `ip -batch -` (optionally in a namespace): one process for many changes. With `force`,
 * ip keeps going past a failing line and exits non-zero at the end; without it, it stops at the first.
 */
export async function ipBatch(lines: string[], opts: { netns?: string; force?: boolean } = {}): Promise<void> {
  if (lines.length === 0) return;
  const args = [...(opts.force ? ['-force'] : []), '-batch', '-'];
  await run('ip', args, { input: lines.join('\n') + '\n', netns: opts.netns });
}

/** Applies an nftables script as one transaction (`nft -f -`): all of it or none of it. */
export async function nftApply(script: string, opts: { netns?: string } = {}): Promise<void> {
  await run('nft', ['-f', '-'], { input: script, netns: opts.netns });
}

/** Runs a program with the caller's stdin/stdout/stderr (for `podnet exec`); resolves its exit code. */
export function runInteractive(argv: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', env: env ?? process.env });
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new MissingToolError(argv[0]) : e));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
  });
}

/** Finds a program on PATH without running it (up-front checks for missing tools). */
export function onPath(tool: string): boolean {
  const dirs = (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':');
  return dirs.some((d) => existsSync(`${d}/${tool}`));
}

export function requireTools(tools: string[]): void {
  for (const t of tools) if (!onPath(t)) throw new MissingToolError(t);
}
