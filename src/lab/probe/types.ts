export interface ProbeTarget {
  /** `namespace/pod`. */
  id: string;
  ip: string;
  /** netexec's HTTP port (TCP probe), if any. */
  port?: number;
  /** netexec's UDP port, if any. */
  udpPort?: number;
}

export interface ProbeRequest {
  targets: ProbeTarget[];
  timeoutMs: number;
  concurrency?: number;
}

export interface ProbeResult {
  target: string;
  ip: string;
  protocol: 'TCP' | 'UDP';
  ok: boolean;
  /** The source address the target saw. */
  seen?: string;
  error?: string;
  ms: number;
}

/** One try of `podnet probe matrix`: can the source pod reach `ip:port` over `protocol`? */
export interface ReachTarget {
  /** `namespace/pod`. */
  id: string;
  ip: string;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** Which asked port case this try measures (its index), when `port` is a Service port instead. */
  case?: number;
  /** The try goes through a Service VIP (hairpin: the source pod's own Service). */
  via?: string;
}

export interface ReachRequest {
  targets: ReachTarget[];
  timeoutMs: number;
  concurrency?: number;
}

export interface ReachResult extends ReachTarget {
  ok: boolean;
  error?: string;
  ms: number;
}
