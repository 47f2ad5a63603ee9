// A pflag-compatible flag parser: upstream agnhost uses cobra/pflag, so manifests pass
// `--flag=value`, `--flag value`, bare booleans, and (via Go's flag package) `-flag`.
// Positional arguments may be interspersed with flags, as pflag allows.
import { parseDuration } from './duration.js';

export type FlagKind = 'bool' | 'int' | 'string' | 'duration';
export type FlagValue = boolean | number | string | bigint;
export interface FlagSpec {
  kind: FlagKind;
  default: FlagValue;
  usage?: string;
}
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export class FlagError extends Error {}

/** Flags every agnhost subcommand accepts because agnhost registers klog's flags globally. */
export const loggingFlags: FlagSpecs = {
  v: { kind: 'int', default: 0 },
  vmodule: { kind: 'string', default: '' },
  logtostderr: { kind: 'bool', default: true },
  alsologtostderr: { kind: 'bool', default: false },
  stderrthreshold: { kind: 'string', default: '2' },
  log_dir: { kind: 'string', default: '' },
  log_file: { kind: 'string', default: '' },
  log_file_max_size: { kind: 'int', default: 1800 },
  log_backtrace_at: { kind: 'string', default: '' },
  add_dir_header: { kind: 'bool', default: false },
  skip_headers: { kind: 'bool', default: false },
  skip_log_headers: { kind: 'bool', default: false },
  one_output: { kind: 'bool', default: false },
};

export class ParsedFlags {
  constructor(
    private readonly values: ReadonlyMap<string, FlagValue>,
    readonly args: readonly string[],
    readonly changed: ReadonlySet<string>,
  ) {}

  bool(name: string): boolean {
    return this.get(name, 'boolean') as boolean;
  }
  int(name: string): number {
    return this.get(name, 'number') as number;
  }
  str(name: string): string {
    return this.get(name, 'string') as string;
  }
  /** Nanoseconds. */
  duration(name: string): bigint {
    return this.get(name, 'bigint') as bigint;
  }

  private get(name: string, type: string): FlagValue {
    const v = this.values.get(name);
    if (typeof v !== type) throw new Error(`flag ${name} is not a ${type}`);
    return v as FlagValue;
  }
}

/** strconv.ParseBool. */
export function parseGoBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(s)}: invalid syntax`);
}

/** strconv.ParseInt(s, 0, 64) restricted to safe integers: decimal, 0x, 0o/0, 0b, underscores. */
export function parseGoInt(s: string): number {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
  const bad = (): Error => new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  if (m === null) throw bad();
  let body = m[2] ?? '';
  if (body.includes('_') && !/^0[xXbBoO]/.test(body)) throw bad();
  body = body.replace(/_/g, '');
  let n: number;
  if (/^0[xXbBoO]/.test(body)) n = Number(body.toLowerCase());
  else if (body.length > 1 && body.startsWith('0')) n = Number.parseInt(body.slice(1), 8);
  else n = Number(body);
  if (!Number.isSafeInteger(n)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return m[1] === '-' ? -n : n;
}

function convert(kind: FlagKind, raw: string, display: string): FlagValue {
  try {
    switch (kind) {
      case 'bool':
        return parseGoBool(raw);
      case 'int':
        return parseGoInt(raw);
      case 'duration':
        return parseDuration(raw);
      case 'string':
        return raw;
    }
  } catch (e) {
    throw new FlagError(`invalid argument ${JSON.stringify(raw)} for "${display}" flag: ${(e as Error).message}`);
  }
}

/** Parses argv (after the subcommand) against specs; throws FlagError with pflag's wording. */
export function parseFlags(argv: readonly string[], specs: FlagSpecs): ParsedFlags {
  const values = new Map<string, FlagValue>();
  for (const [name, spec] of Object.entries(specs)) values.set(name, spec.default);
  const args: string[] = [];
  const changed = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      args.push(a);
      continue;
    }
    const dashes = a.startsWith('--') ? '--' : '-';
    const body = a.slice(dashes.length);
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const display = `${dashes}${name}`;
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (spec === undefined || name === '') throw new FlagError(`unknown flag: ${display}`);
    let raw: string;
    if (eq >= 0) raw = body.slice(eq + 1);
    else if (spec.kind === 'bool') raw = 'true'; // a bare boolean never consumes the next argument
    else if (i + 1 < argv.length) raw = argv[++i] ?? '';
    else throw new FlagError(`flag needs an argument: ${display}`);
    values.set(name, convert(spec.kind, raw, display));
    changed.add(name);
  }
  return new ParsedFlags(values, args, changed);
}

/** One usage line per flag, for --help. */
export function usage(specs: FlagSpecs): string {
  return Object.entries(specs)
    .map(([name, s]) => `  --${name} ${s.kind === 'bool' ? '' : s.kind + ' '}(default ${String(s.default)})${s.usage ? '  ' + s.usage : ''}`)
    .join('\n');
}
