// The CNI_* environment of one invocation, validated per verb (SPEC.md section 2, "Parameters").
import { invalidEnv } from './errors.js';

export const VERBS = ['ADD', 'DEL', 'CHECK', 'VERSION', 'GC', 'STATUS'] as const;
export type Verb = (typeof VERBS)[number];

export interface CniEnv {
  command: Verb;
  containerID: string;
  netns: string;
  ifname: string;
  /** CNI_ARGS as pairs (K=V;K=V). */
  args: Record<string, string>;
  path: string[];
  raw: Record<string, string>;
}

const REQUIRED: Record<Verb, string[]> = {
  ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
  // CNI_NETNS is optional for DEL: the runtime may have lost the namespace already.
  DEL: ['CNI_CONTAINERID', 'CNI_IFNAME', 'CNI_PATH'],
  CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
  VERSION: [],
  GC: ['CNI_PATH'],
  STATUS: ['CNI_PATH'],
};

// Same rules as libcni's ValidateContainerID / ValidateInterfaceName.
const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function parseCniArgs(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!s) return out;
  for (const pair of s.split(';')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw invalidEnv(`invalid CNI_ARGS pair "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

export function validateIfname(name: string): void {
  if (name.length === 0 || name.length > 15 || name === '.' || name === '..' || /[/:\s]/.test(name)) {
    throw invalidEnv(`invalid CNI_IFNAME "${name}"`, 'interface names are 1-15 characters without "/", ":" or whitespace');
  }
}

export function parseEnv(env: Record<string, string>): CniEnv {
  const command = env.CNI_COMMAND;
  if (!command) throw invalidEnv('CNI_COMMAND is not set');
  if (!(VERBS as readonly string[]).includes(command)) throw invalidEnv(`unknown CNI_COMMAND "${command}"`);
  const verb = command as Verb;
  const missing = REQUIRED[verb].filter((k) => !env[k]);
  if (missing.length) throw invalidEnv(`required environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not set for ${verb}`);
  const containerID = env.CNI_CONTAINERID ?? '';
  if (containerID && !CONTAINER_ID.test(containerID)) throw invalidEnv(`invalid CNI_CONTAINERID "${containerID}"`);
  const ifname = env.CNI_IFNAME ?? '';
  if (REQUIRED[verb].includes('CNI_IFNAME')) validateIfname(ifname);
  return {
    command: verb,
    containerID,
    netns: env.CNI_NETNS ?? '',
    ifname,
    args: parseCniArgs(env.CNI_ARGS),
    path: (env.CNI_PATH ?? '').split(':').filter(Boolean),
    raw: env,
  };
}
