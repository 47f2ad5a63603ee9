// The tracer's vocabulary (the packet it walks, the options, what comes out), apart from both the
// driver (tracer.ts) and the evaluator (tracer-eval.ts) so that imports point one way:
// tracer.ts -> tracer-eval.ts -> tracer-types.ts, never back.
export interface TracePacket {
  src: string;
  dst: string;
  proto: 'tcp' | 'udp' | 'sctp' | 'icmp';
  dport: number;
  /** Where the packet enters: from an interface (default) or from a local process. */
  hook?: 'prerouting' | 'output';
}

export interface TraceOptions {
  /** Contents of dynamic sets (affinity), by set name; the kernel fills them, the plan cannot. */
  dynamicSets?: Record<string, string[]>;
}

export interface TraceOutcome {
  /** Probability of this outcome (numgen draws split it). */
  p: number;
  verdict: 'accept' | 'drop' | 'reject';
  /** `IP:PORT` (`[IP]:PORT` for IPv6) after DNAT. */
  dnat?: string;
  masquerade: boolean;
  /** `chain: rule` for every rule that acted. */
  path: string[];
}

export interface Trace {
  verdict: 'dnat' | 'accept' | 'drop' | 'reject' | 'mixed';
  /** DNAT target → probability. */
  targets: Record<string, number>;
  masquerade: 'all' | 'none' | 'some';
  outcomes: TraceOutcome[];
  /** The path of the first outcome. */
  path: string[];
}
