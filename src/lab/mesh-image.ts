// The mesh sidecar image (podnet.dev/sidecar): podnet's sidecar program, run as uid 1337 (Istio's
// istio-proxy uid) so that the pod's capture rules let its own connections out (`meta skuid`).
// setpriv (util-linux) drops to that uid after `ip netns exec` has entered the pod.
import { PROXY_UID } from '../mesh/ports.js';

const SIDECAR = /^podnet\.dev\/sidecar(:[\w.-]+)?(@sha256:[0-9a-f]+)?$/;

export function isSidecarImage(image: string): boolean {
  return SIDECAR.test(image);
}

/** `args` are the injected container's: `proxy sidecar` (Istio's), then the sidecar's flags. */
export function sidecarArgv(paths: { node: string; agnhost: string; sidecar?: string }, args: string[]): string[] {
  const main = paths.sidecar ?? paths.agnhost.replace(/\/lab\/agnhost\/agnhost-main\.js$/, '/mesh/sidecar/sidecar-main.js');
  const flags = args[0] === 'proxy' ? args.slice(args[1] === 'sidecar' ? 2 : 1) : args;
  return ['setpriv', `--reuid=${PROXY_UID}`, `--regid=${PROXY_UID}`, '--clear-groups', '--', paths.node, main, ...flags];
}
