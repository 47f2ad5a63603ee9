// Shared helpers for the lab's integration tests (root, network namespaces). Every test makes its
// own uniquely named lab and removes it in `finally`, also when an assertion fails.
import { execFile } from 'node:child_process';
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { run } from '../../src/sys/exec.js';
import { listNetns } from '../../src/sys/netns.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = `${REPO}/bin/podnet`;

export function uniqueLab(prefix = 't'): string {
  return `${prefix}${randomBytes(3).toString('hex')}`;
}

/** What a lab could leave behind on the host, to compare before and after. */
export async function hostSnapshot(): Promise<Record<string, string[]>> {
  const links = (await run('ip', ['-o', 'link', 'show'])).stdout.split('\n').map((l) => l.split(': ')[1]?.split('@')[0]).filter(Boolean);
  const tables = (await run('nft', ['list', 'tables'])).stdout.split('\n').filter(Boolean);
  const mounts = (await run('cat', ['/proc/self/mounts'])).stdout.split('\n').filter((l) => l.includes('/run/podnet/'));
  const procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((p) => {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      return /dist\/src\/(lab|cni|dns|services)\//.test(cmd) ? [cmd] : [];
    } catch {
      return [];
    }
  });
  return {
    netns: (await listNetns()).filter((n) => n.startsWith('pn-t')),
    links: links.sort(),
    tables,
    mounts,
    podnetFiles: existsSync('/run/podnet') ? readdirSync('/run/podnet').filter((n) => n.startsWith('t')) : [],
    processes: procs.filter((c) => !c.includes('pnbench')).sort(),
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (bin/podnet), as a user would. */
export function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; argv0?: string[] } = {}): Promise<CliResult> {
  const argv = [...(opts.argv0 ?? []), process.execPath, CLI, ...args];
  return new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), { env: opts.env ?? process.env, timeout: 180_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
