// Pod + container → normalised probe specs, as the kubelet reads a V1Probe (httpGet, tcpSocket, exec
// and grpc): API defaults for zero or missing fields, the host defaulting to the pod IP, named ports
// looked up in the container's ports (pkg/probe/util.go ResolveContainerPort), and the kubelet's
// default HTTP headers (pkg/probe/http/request.go). Pure: everything it needs is passed in.
import type { V1Container, V1Pod, V1Probe } from '../../api/types.js';
import type { ContainerProbes, ProbeAction, ProbeKind, ProbeSpec } from './types.js';

/** What the kubelet sends as User-Agent unless the probe sets one (`kube-probe/<major>.<minor>`). */
export const PROBE_USER_AGENT = 'kube-probe/1.31';

export interface ProbeContext {
  /** The pod's first IP (IPv4 first, as status.podIP): the default host. */
  podIP: string | undefined;
  /**
   * The argv prefix that enters the pod's namespaces, the one its containers are started with
   * (PodSandbox.execPrefix): exec probes run "inside the container" that way.
   */
  execPrefix: string[];
  /** The container's environment: exec probes run with it, as a command inside the container would. */
  env: Record<string, string>;
}

/** A probe the lab cannot run; `message` is one line naming the field. */
export class ProbeSpecError extends Error {
  readonly code = 'EPROBE';
  constructor(readonly field: string, readonly problem: string) {
    super(`${field}: ${problem}`);
  }
}

const FIELDS: Record<ProbeKind, 'startupProbe' | 'readinessProbe' | 'livenessProbe'> = {
  startup: 'startupProbe', readiness: 'readinessProbe', liveness: 'livenessProbe',
};

/** Every probe of one container; probes that cannot be resolved are reported, not thrown. */
export function containerProbes(pod: V1Pod, index: number, ctx: ProbeContext): { probes: ContainerProbes; errors: ProbeSpecError[] } {
  const container = pod.spec?.containers?.[index];
  const probes: ContainerProbes = {};
  const errors: ProbeSpecError[] = [];
  if (!container) return { probes, errors };
  for (const kind of ['startup', 'readiness', 'liveness'] as const) {
    const probe = container[FIELDS[kind]];
    if (!probe) continue;
    try {
      probes[kind] = normaliseProbe(kind, probe, container, ctx, `spec.containers[${index}].${FIELDS[kind]}`);
    } catch (e) {
      if (!(e instanceof ProbeSpecError)) throw e;
      errors.push(e);
    }
  }
  return { probes, errors };
}

export function normaliseProbe(kind: ProbeKind, probe: V1Probe, container: V1Container, ctx: ProbeContext, field: string): ProbeSpec {
  const seconds = (name: keyof V1Probe, fallback: number, min: number): number => {
    const v = probe[name];
    if (v === undefined || v === 0) return fallback; // the API server defaults zero values too
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ProbeSpecError(`${field}.${name}`, `must be an integer >= ${min}, not ${JSON.stringify(v)}`);
    return v;
  };
  const successThreshold = seconds('successThreshold', 1, 1);
  if (kind !== 'readiness' && successThreshold !== 1) throw new ProbeSpecError(`${field}.successThreshold`, `must be 1 for a ${kind} probe`);
  return {
    action: action(probe, container, ctx, field),
    initialDelayMs: seconds('initialDelaySeconds', 0, 0) * 1000,
    periodMs: seconds('periodSeconds', 10, 1) * 1000,
    timeoutMs: seconds('timeoutSeconds', 1, 1) * 1000,
    successThreshold,
    failureThreshold: seconds('failureThreshold', 3, 1),
  };
}

function action(probe: V1Probe, container: V1Container, ctx: ProbeContext, field: string): ProbeAction {
  const handlers = (['httpGet', 'tcpSocket', 'exec', 'grpc'] as const).filter((h) => probe[h] !== undefined);
  if (handlers.length !== 1) {
    throw new ProbeSpecError(field, handlers.length ? `may not specify more than 1 handler type (${handlers.join(', ')})` : 'must specify a handler type (httpGet, tcpSocket, exec or grpc)');
  }
  const host = (h: string | undefined, at: string): string => {
    if (h) return h;
    if (!ctx.podIP) throw new ProbeSpecError(at, 'defaults to the pod IP, but the pod has no IP');
    return ctx.podIP;
  };
  if (probe.httpGet) {
    const g = probe.httpGet;
    const scheme = (g.scheme ?? 'HTTP').toUpperCase();
    if (scheme !== 'HTTP' && scheme !== 'HTTPS') throw new ProbeSpecError(`${field}.httpGet.scheme`, `must be HTTP or HTTPS, not ${JSON.stringify(g.scheme)}`);
    const path = g.path ?? '';
    return {
      type: 'http',
      scheme: scheme === 'HTTPS' ? 'https' : 'http',
      host: host(g.host, `${field}.httpGet.host`),
      port: resolvePort(g.port, container, `${field}.httpGet.port`),
      path: path.startsWith('/') ? path : `/${path}`,
      headers: probeHeaders(g.httpHeaders ?? [], `${field}.httpGet.httpHeaders`),
    };
  }
  if (probe.tcpSocket) {
    const t = probe.tcpSocket;
    return { type: 'tcp', host: host(t.host, `${field}.tcpSocket.host`), port: resolvePort(t.port, container, `${field}.tcpSocket.port`) };
  }
  if (probe.exec) {
    const command = probe.exec.command ?? [];
    if (command.length === 0) throw new ProbeSpecError(`${field}.exec.command`, 'must not be empty');
    const bad = command.findIndex((a) => typeof a !== 'string');
    if (bad >= 0) throw new ProbeSpecError(`${field}.exec.command[${bad}]`, `must be a string, not ${JSON.stringify(command[bad])}`);
    return { type: 'exec', argv: [...ctx.execPrefix, ...command], env: ctx.env };
  }
  return grpcAction(probe.grpc as NonNullable<V1Probe['grpc']>, ctx, `${field}.grpc`);
}

// The kubelet dials the pod IP (GRPCAction has no host) on a numeric port (no named ports, unlike
// httpGet and tcpSocket), and sends `service` as given, "" when unset (pkg/kubelet/prober/prober.go).
function grpcAction(g: NonNullable<V1Probe['grpc']>, ctx: ProbeContext, field: string): ProbeAction {
  const port: unknown = g.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ProbeSpecError(`${field}.port`, `must be a port number (1-65535), not ${JSON.stringify(port)}`);
  }
  const service: unknown = g.service ?? '';
  if (typeof service !== 'string') throw new ProbeSpecError(`${field}.service`, `must be a string, not ${JSON.stringify(service)}`);
  if (!ctx.podIP) throw new ProbeSpecError(field, 'dials the pod IP, but the pod has no IP');
  return { type: 'grpc', host: ctx.podIP, port, service };
}

/** A port number, or the name of one of the container's ports. */
export function resolvePort(port: number | string | undefined, container: V1Container, field: string): number {
  let n: number | undefined;
  if (typeof port === 'number') n = port;
  else if (typeof port === 'string' && port !== '') {
    n = container.ports?.find((p) => p.name === port)?.containerPort;
    // As the kubelet's "last ditch effort": a number written as a string.
    if (n === undefined && /^\d+$/.test(port)) n = Number(port);
    if (n === undefined) throw new ProbeSpecError(field, `port ${JSON.stringify(port)} is not a named port of container ${container.name}`);
  }
  if (n === undefined || !Number.isInteger(n) || n < 1 || n > 65535) throw new ProbeSpecError(field, `must be a port number (1-65535) or a named container port, not ${JSON.stringify(port)}`);
  return n;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// The user's headers, then the kubelet's defaults (pkg/probe/http/request.go): User-Agent and
// `Accept: */*` unless given; an Accept given empty is removed.
export function probeHeaders(list: { name: string; value: string }[], field: string): [string, string][] {
  list.forEach((h, i) => {
    if (typeof h.name !== 'string' || !TOKEN.test(h.name)) throw new ProbeSpecError(`${field}[${i}].name`, `must be an HTTP header name, not ${JSON.stringify(h.name)}`);
  });
  const has = (name: string) => list.some((h) => h.name.toLowerCase() === name);
  const out: [string, string][] = list
    .filter((h) => !(h.name.toLowerCase() === 'accept' && h.value === ''))
    .map((h) => [h.name, String(h.value ?? '')]);
  if (!has('user-agent')) out.push(['User-Agent', PROBE_USER_AGENT]);
  if (!has('accept')) out.push(['Accept', '*/*']);
  return out;
}

/** How long a container killed by a failed liveness or startup probe gets to exit (capped as the lab caps pod deletion). */
export function killGraceMs(pod: V1Pod, probe: V1Probe | undefined, capMs = 5000): number {
  const seconds = probe?.terminationGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  return Math.min(Math.max(seconds, 0) * 1000, capMs);
}
