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
