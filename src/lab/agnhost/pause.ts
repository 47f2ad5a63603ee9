// agnhost pause: keeps a container alive so other commands can be exec'd into the pod.
// Upstream prints "Paused" and blocks until a signal; the lab wants a clean exit 0 on
// SIGTERM/SIGINT (upstream exits 2/1), so pod deletion does not look like a failure.

/** Resolves with the exit code once SIGTERM or SIGINT arrives. */
export function pause(out: NodeJS.WritableStream = process.stdout): Promise<number> {
  return new Promise((resolve) => {
    // The pending promise alone would not keep Node alive; this timer does, cheaply.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const onSignal = (): void => {
      clearInterval(keepAlive);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(0);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    out.write('Paused\n'); // only after the handlers exist, so "Paused" means signals are safe
  });
}
