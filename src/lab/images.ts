// There are no images to pull in the lab: a container's command runs as a host program. Images
// whose entrypoint podnet implements itself (agnhost, pause, CoreDNS) run podnet's built-in
// versions, so upstream manifests work unchanged.
import type { V1Container } from '../api/types.js';
import { nativeNetexecArgs } from './agnhost/netexec-flags.js';
import { isSidecarImage, sidecarArgv } from './mesh-image.js';

export class ImageError extends Error {
  readonly code = 'EIMAGE';
}

export interface BuiltinPaths {
  /** The Node.js binary and the compiled agnhost entry. */
  node: string;
  agnhost: string;
  /** The compiled DNS pod program (dist/src/dns/dns-main.js); images podnet/dns and CoreDNS run it. */
  dns?: string;
  /** The compiled echo-basic program (dist/src/l7/echo/echo-main.js); default: beside agnhost's dist tree. */
  echoBasic?: string;
  /** The compiled proxy program (dist/src/l7/proxy/proxy-main.js); default: beside agnhost's dist tree. */
  proxy?: string;
  /**
   * The compiled pause program (dist/lab-bin/pause, src/lab/pause/pause.c). agnhost `pause` and
   * the pause image run it instead of a Node.js process; without it they run agnhost's own pause.
   */
  pause?: string;
  /**
   * The native netexec (dist/lab-bin/netexec, src/lab/netexec/). agnhost `netexec` runs it when
   * it implements every flag given (nativeNetexecArgs); otherwise (TLS, --udp-listen-addresses,
   * SCTP) agnhost's TypeScript netexec runs.
   */
  netexec?: string;
  /** dist/lab-bin/podnet-enter: enters a pod's namespaces in one exec (PodSandbox.execPrefix). */
  enter?: string;
  /** The compiled mesh sidecar (dist/src/mesh/sidecar/sidecar-main.js); default: beside agnhost's dist tree. */
  sidecar?: string;
}

const AGNHOST = /^([a-z0-9.-]+(:\d+)?\/)?(e2e-test-images\/|kubernetes-e2e-test-images\/)?agnhost(-[a-z0-9]+)?(:[\w.-]+)?(@sha256:[0-9a-f]+)?$/;
// podnet's own DNS image, and upstream CoreDNS (registry.k8s.io/coredns/coredns, k8s.gcr.io/coredns, coredns/coredns).
const DNS = /^(podnet\/dns|([a-z0-9.-]+(:\d+)?\/)?(coredns\/)?coredns)(:[\w.-]+)?(@sha256:[0-9a-f]+)?$/;
// The Gateway API conformance echo server: gcr.io/k8s-staging-gateway-api/echo-basic,
// registry.k8s.io/gateway-api/echo-basic and registry.k8s.io/gateway-api/conformance/echo-basic.
const ECHO_BASIC = /^([a-z0-9.-]+(:\d+)?\/)?(k8s-staging-gateway-api\/|gateway-api\/(conformance\/)?)echo-basic(:[\w.-]+)?(@sha256:[0-9a-f]+)?$/;
// podnet's gateway proxy (src/l7/proxy/proxy-main.ts), which the gateway controller runs.
const GATEWAY = /^podnet\/gateway(:[\w.-]+)?$/;
const PAUSE = /^([a-z0-9.-]+(:\d+)?\/)?pause(-[a-z0-9]+)?(:[\w.-]+)?(@sha256:[0-9a-f]+)?$/;

export function isEchoBasic(image: string): boolean {
  return ECHO_BASIC.test(image);
}

export function isAgnhost(image: string): boolean {
  return AGNHOST.test(image);
}

function pauseArgv(paths: BuiltinPaths): string[] {
  return paths.pause ? [paths.pause] : [paths.node, paths.agnhost, 'pause'];
}

/** The argv a container runs, following Kubernetes' command/args over entrypoint/cmd rules. */
export function containerArgv(container: V1Container, paths: BuiltinPaths): string[] {
  const image = container.image ?? '';
  const command = container.command ?? [];
  const args = container.args ?? [];
  if (isAgnhost(image)) {
    // The image's entrypoint is /agnhost; a command that names it explicitly means the same.
    const cmd = command.length === 0 || /(^|\/)agnhost(-2)?$/.test(command[0]) ? command.slice(1) : null;
    // The image's CMD is `pause`: with neither command nor args, that is what runs.
    if (cmd !== null) {
      const sub = command.length || args.length ? [...cmd, ...args] : ['pause'];
      // `pause` with no flags is the C pause; with flags agnhost itself parses (and refuses) them.
      if (sub.length === 1 && sub[0] === 'pause') return pauseArgv(paths);
      const native = sub[0] === 'netexec' && paths.netexec ? nativeNetexecArgs(sub.slice(1)) : undefined;
      return native ? [paths.netexec as string, ...native] : [paths.node, paths.agnhost, ...sub];
    }
  }
  if (PAUSE.test(image) && command.length === 0) return pauseArgv(paths);
  if (isSidecarImage(image)) return sidecarArgv(paths, args);
  // CoreDNS's entrypoint is /coredns (naming it as the command means the same); the args are the
  // flags of podnet's DNS program (src/dns/args.ts).
  if (DNS.test(image) && (command.length === 0 || /(^|\/)coredns$/.test(command[0]))) {
    if (!paths.dns) throw new ImageError(`image ${image}: this podnet build has no DNS program path (BuiltinPaths.dns)`);
    return [paths.node, paths.dns, ...command.slice(1), ...args];
  }
  // echo-basic takes its settings from the environment; its entrypoint named as the command means the same.
  if (ECHO_BASIC.test(image) && (command.length === 0 || /(^|\/)echo-basic$/.test(command[0]))) {
    const echo = paths.echoBasic ?? paths.agnhost.replace(/\/lab\/agnhost\/agnhost-main\.js$/, '/l7/echo/echo-main.js');
    return [paths.node, echo, ...command.slice(1), ...args];
  }
  if (GATEWAY.test(image) && command.length === 0) {
    return [paths.node, paths.proxy ?? paths.agnhost.replace(/\/lab\/agnhost\/agnhost-main\.js$/, '/l7/proxy/proxy-main.js'), ...args];
  }
  if (command.length > 0) return [...command, ...args];
  throw new ImageError(
    `image ${image || '(none)'} has no command that podnet can run: give container ${container.name} a command (a host program), or use registry.k8s.io/e2e-test-images/agnhost`,
  );
}
