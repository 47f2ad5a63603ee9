// Timestamps of `up`'s phases in the daemon's log (`+123ms network applied`), so a slow `up` can be
// read off daemon.log without a profiler. Cheap: one line per phase, not per pod.
const t0 = Date.now();

export function phase(what: string): void {
  process.stdout.write(`+${Date.now() - t0}ms ${what}\n`);
}
