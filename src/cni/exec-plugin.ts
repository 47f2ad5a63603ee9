// Executes a CNI plugin binary (a delegated IPAM plugin, or every plugin of a conflist in
// runtime.ts) and turns its output into a result or a typed error carrying the plugin's code.
import { run } from '../sys/exec.js';
import { CniError, CniCode } from './errors.js';

export interface PluginExec {
  env: Record<string, string>;
  stdin: string;
  /** Run inside this network namespace (nsenter). */
  netns?: string;
}

/** A plugin answered with a CNI error (or failed without one). */
export class PluginError extends CniError {
  constructor(
    readonly plugin: string,
    code: number,
    msg: string,
    details = '',
  ) {
    super(code, msg, details);
    this.name = 'PluginError';
  }
}

export async function execPlugin(path: string, req: PluginExec): Promise<string> {
  const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...req.env };
  const r = await run(path, [], { env, input: req.stdin, netns: req.netns, allowFail: true });
  if (r.code === 0) return r.stdout;
  let parsed: { code?: unknown; msg?: unknown; details?: unknown } | undefined;
  try {
    parsed = JSON.parse(r.stdout) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed.code === 'number') {
    throw new PluginError(path, parsed.code, String(parsed.msg ?? ''), String(parsed.details ?? ''));
  }
  throw new PluginError(path, CniCode.IOFailure, `${path} exited ${r.code}`, (r.stderr || r.stdout).trim().slice(0, 2000));
}
