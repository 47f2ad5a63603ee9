// The lab's probes as plain data: the normalised spec the daemon computes from a pod (defaults
// applied, named ports and hosts resolved, exec argv wrapped into the pod's namespaces), and the
// JSON-lines protocol between the daemon and the per-node prober process.

export type ProbeKind = 'startup' | 'readiness' | 'liveness';

export type ProbeResult = 'success' | 'failure';

export type ProbeAction =
  | {
      type: 'http';
      scheme: 'http' | 'https';
      host: string;
      port: number;
      /** Path and query, as written in the spec (with a leading `/` added when missing). */
      path: string;
      /** In spec order; names as written (HTTP header names are case-insensitive anyway). */
      headers: [string, string][];
    }
  | { type: 'tcp'; host: string; port: number }
  /** grpc.health.v1.Health/Check on the pod IP; `service` is sent as the request's service field. */
  | { type: 'grpc'; host: string; port: number; service: string }
  /** `argv` already enters the pod's UTS and network namespaces, as the containers' does. */
  | { type: 'exec'; argv: string[]; env: Record<string, string> };

export interface ProbeSpec {
  action: ProbeAction;
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** A container's probes; a probe whose spec could not be resolved is left out (see `errors`). */
export interface ContainerProbes {
  startup?: ProbeSpec;
  readiness?: ProbeSpec;
  liveness?: ProbeSpec;
}

/** Daemon → prober, one JSON object a line. */
export type ProberCommand =
  | {
      op: 'track';
      /** `namespace/pod/container`. */
      id: string;
      /** Which run of the container (its pid): a restarted container is a new instance. */
      instance: number;
      /** When this instance started (ms since the epoch): initialDelaySeconds counts from here. */
      startedAt: number;
      probes: ContainerProbes;
    }
  | { op: 'untrack'; id: string };

/**
 * Prober → daemon: a probe's result changed, after the thresholds (so the daemon hears flips only).
 * A liveness or startup `failure` means "kill this instance"; the prober stops probing it.
 */
export interface ProberEvent {
  id: string;
  instance: number;
  probe: ProbeKind;
  result: ProbeResult;
  /** Why the last probe failed (or a warning on success), for logs. */
  message?: string;
  /** When the threshold was reached (ms since the epoch), to measure how fast status follows. */
  at: number;
}

/** What the pod's status shows of a container's probes (containerStatuses[].ready and .started). */
export interface ContainerReadiness {
  /** The startup probe has succeeded (true without one). */
  started: boolean;
  /** Started, and the readiness probe's result is success (true without one). */
  ready: boolean;
}

/** The prober's first line on stdout once it reads commands. */
export const PROBER_READY = 'ready';

export function parseCommand(line: string): ProberCommand {
  const msg = JSON.parse(line) as ProberCommand;
  if (msg.op !== 'track' && msg.op !== 'untrack') throw new Error(`unknown prober command ${JSON.stringify((msg as { op?: unknown }).op)}`);
  if (typeof msg.id !== 'string') throw new Error('prober command without an id');
  return msg;
}

export function parseEvent(line: string): ProberEvent {
  const ev = JSON.parse(line) as ProberEvent;
  if (typeof ev.id !== 'string' || typeof ev.instance !== 'number' || !['startup', 'readiness', 'liveness'].includes(ev.probe)) {
    throw new Error(`malformed prober event ${line.slice(0, 200)}`);
  }
  return ev;
}
