// Go's time.ParseDuration / Duration.String, because agnhost flags and /exit parameters take
// Go durations ("5s", "1m30s", "500ms") and its log lines print them in Go's format.
// Durations are carried as nanoseconds in a bigint so that nothing is lost to float rounding.

const unitNs: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // U+00B5 micro sign, accepted by Go
  ['\u03bcs', 1_000n], // U+03BC Greek mu, accepted by Go
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const maxDuration = (1n << 63n) - 1n;

/** Parses a Go duration into nanoseconds; errors carry Go's exact messages. */
export function parseDuration(text: string): bigint {
  const quoted = JSON.stringify(text);
  const invalid = (): Error => new Error(`time: invalid duration ${quoted}`);
  let s = text;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s);
    const intPart = m?.[1] ?? '';
    const fracPart = m?.[2];
    const hasInt = intPart !== '';
    const hasFrac = fracPart !== undefined && fracPart !== '';
    if (!hasInt && !hasFrac) throw invalid();
    s = s.slice(m?.[0].length ?? 0);
    const unitMatch = /^[^0-9.]*/.exec(s);
    const unit = unitMatch?.[0] ?? '';
    if (unit === '') throw new Error(`time: missing unit in duration ${quoted}`);
    s = s.slice(unit.length);
    const scale = unitNs.get(unit);
    if (scale === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    let v = BigInt(hasInt ? intPart : '0') * scale;
    if (hasFrac) {
      // Go truncates the fractional part towards zero at nanosecond precision.
      v += (BigInt(fracPart) * scale) / 10n ** BigInt(fracPart.length);
    }
    total += v;
    if (total > maxDuration) throw invalid();
  }
  return neg ? -total : total;
}

/** Formats nanoseconds like Go's Duration.String ("0s", "1.5ms", "1h2m3s"). */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  const u = ns < 0n ? -ns : ns;
  if (u < 1_000_000_000n) {
    if (u < 1_000n) return `${sign}${u}ns`;
    if (u < 1_000_000n) return `${sign}${frac(u, 3)}\u00b5s`;
    return `${sign}${frac(u, 6)}ms`;
  }
  let out = `${frac(u % 60_000_000_000n, 9)}s`;
  const mins = u / 60_000_000_000n;
  if (mins > 0n) {
    out = `${mins % 60n}m${out}`;
    const hours = mins / 60n;
    if (hours > 0n) out = `${hours}h${out}`;
  }
  return sign + out;
}

function frac(v: bigint, digits: number): string {
  const div = 10n ** BigInt(digits);
  const f = (v % div).toString().padStart(digits, '0').replace(/0+$/, '');
  return f === '' ? `${v / div}` : `${v / div}.${f}`;
}

/** Nanoseconds to milliseconds for timers. */
export function toMs(ns: bigint): number {
  return Number(ns) / 1e6;
}
