// `ip -batch` processes for ADD. Starting a process from Node (fork of a big process, exec of ip and
// its libraries) costs ~1.5-3 ms here, which is most of an ADD, so:
// - node side: one long-lived `ip -force -batch -` per agent (IpSession), fed request after request;
// - pod side: one `nsenter ip -batch -` per ADD (it must live in the pod's netns), started before its
//   commands are known so its startup overlaps with IPAM (startIpBatch), from a pre-started helper.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { CommandError, inNetns, MissingToolError } from '../../sys/exec.js';

export interface PendingBatch {
  /** Writes the lines, closes stdin and resolves when ip exits 0 (rejects with CommandError). */
  run(lines: string[]): Promise<void>;
  /** Ends the process without running anything (idempotent). */
  cancel(): void;
}

// Pod side. Node's spawn() blocks the event loop for the fork+exec (~1-2.5 ms here, delaying IPAM),
// so the agent keeps one spare helper already running: a shell waiting for the netns path on its
// first stdin line, which then becomes nsenter and `ip -batch -` reading the rest of stdin. Taking
// the spare costs a pipe write; the replacement is started after the ADD has answered.
const HELPER = ['sh', '-c', 'IFS= read -r ns && exec nsenter --net="$ns" -- ip -batch -'];
let spare: ChildProcessWithoutNullStreams | undefined;

function spawnHelper(): ChildProcessWithoutNullStreams {
  const child = spawn(HELPER[0], HELPER.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] }) as unknown as ChildProcessWithoutNullStreams;
  child.stdin.on('error', () => undefined); // reported through 'close'
  child.on('error', () => undefined); // a spare that failed to start is replaced when taken
  return child;
}

/**
 * Agent only (a standalone run would just waste one): makes sure a spare pod-side helper runs.
 * The agent calls it at start and after answering each request, off the requests' critical path.
 */
export function keepSpareHelper(): void {
  spare ??= spawnHelper();
}

export function startIpBatch(netns: string): PendingBatch {
  if (/[\n\r]/.test(netns)) throw new Error(`bad netns path ${JSON.stringify(netns)}`);
  const argv = inNetns(netns, ['ip', '-batch', '-']);
  let child = spare;
  spare = undefined;
  // A spare that already died (killed from outside) would fail the ADD: spawn afresh instead.
  if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) child = spawnHelper();
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new MissingToolError(HELPER[0]) : e));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new CommandError(argv, code ?? 1, stderr))));
  });
  exited.catch(() => undefined); // observed through run(); cancelled batches are not errors
  child.stdin.write(`${netns}\n`);
  let ended = false;
  const end = (data: string) => {
    if (ended) return;
    ended = true;
    child.stdin.end(data);
  };
  return {
    run(lines) {
      end(lines.length ? lines.join('\n') + '\n' : '');
      return exited;
    },
    cancel() {
      end('');
    },
  };
}

// Completion protocol of the long-lived process. ip never says when a line is done, and its stdout
// is a buffered pipe, but its stderr is unbuffered and in order: with -force, every failing line N
// prints its message then "Command failed -:N" and ip carries on. So after each request we send a
// sentinel that always fails, cheaply and without side effects (a "/" can never be in an interface
// name): its "Command failed" line ends the request, and any other one before it is the request's.
const SENTINEL = 'link show dev podnet/sentinel';
const FAILED_RE = /^Command failed -:(\d+)$/;
const ARGV = ['ip', '-force', '-batch', '-'];
/** Safety net: a request that never completes (ip wedged) kills the process. */
const TIMEOUT_MS = 10_000;

interface Request {
  lines: string[];
  first: number;
  sentinel: number;
  stderr: string[];
  failed: boolean;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** One ip process and the requests written to it, in order. */
class IpProcess {
  readonly child: ChildProcessWithoutNullStreams;
  private lineNo = 0;
  private partial = '';
  private queue: Request[] = [];

  constructor() {
    this.child = spawn(ARGV[0], ARGV.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] }) as unknown as ChildProcessWithoutNullStreams;
    this.child.stdin.on('error', () => undefined); // reported through 'close'
    this.child.stderr.on('data', (b: Buffer) => this.onStderr(b.toString()));
    this.child.on('error', (e: NodeJS.ErrnoException) => this.fail(e.code === 'ENOENT' ? new MissingToolError(ARGV[0]) : e));
    // ip exits on its own when its stdin ends (retired) or a line makes it bail out (invalid arguments).
    this.child.on('close', (code) => this.fail(new CommandError(ARGV, code ?? 1, [...(this.queue[0]?.stderr ?? []), this.partial].join('\n'))));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  run(lines: string[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const first = this.lineNo + 1;
      this.lineNo += lines.length + 1;
      const timer = setTimeout(() => this.child.kill('SIGKILL'), TIMEOUT_MS);
      const done = (f: () => void) => {
        clearTimeout(timer);
        f();
      };
      this.queue.push({ lines, first, sentinel: this.lineNo, stderr: [], failed: false, resolve: () => done(resolve), reject: (e) => done(() => reject(e)) });
      this.child.stdin.write(`${lines.join('\n')}\n${SENTINEL}\n`);
    });
  }

  private onStderr(s: string): void {
    const parts = (this.partial + s).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      const req = this.queue[0];
      if (!req) continue;
      const m = FAILED_RE.exec(line);
      if (m && Number(m[1]) === req.sentinel) {
        this.queue.shift();
        if (req.failed) req.reject(new CommandError(ARGV, 1, req.stderr.join('\n')));
        else req.resolve();
      } else if (!req.failed) {
        // Keep the output up to the first failure: the cause (later lines that depended on the
        // failed one fail too with -force, and would only bury it).
        req.stderr.push(m ? `${line} (${req.lines[Number(m[1]) - req.first] ?? '?'})` : line);
        if (m) req.failed = true;
      }
    }
  }

  private fail(e: Error): void {
    for (const req of this.queue.splice(0)) req.reject(e);
  }
}

/** A long-lived `ip -force -batch -`, restarted when it dies or on request. */
export class IpSession {
  private proc: IpProcess | undefined;

  /** Runs the lines in order, resolving when all are done; rejects if any failed (all still ran). */
  run(lines: string[]): Promise<void> {
    lines = lines.filter((l) => l.trim() !== '');
    if (lines.length === 0) return Promise.resolve();
    // Our line count must match ip's: one command per line, no continuations.
    if (lines.some((l) => /[\n\r]|\\$/.test(l))) return Promise.reject(new Error(`bad ip batch line in ${JSON.stringify(lines)}`));
    if (!this.proc?.alive) this.proc = new IpProcess();
    return this.proc.run(lines);
  }

  /**
   * Retires the process: what was sent to it still completes (so concurrent requests do not fail),
   * new requests go to a fresh one. ip caches the ifindex of names it resolved (e.g. the bridge for
   * "master"), which goes stale if that link is recreated: after a failure, start over from the truth.
   */
  restart(): void {
    this.proc?.child.stdin.end();
    this.proc = undefined;
  }

  /** Starts the process ahead of the first request (the agent does at start). */
  warm(): void {
    if (!this.proc?.alive) this.proc = new IpProcess();
  }
}

/** The agent's node-side session (the agent's netns is the node's). */
export const nodeIp = new IpSession();
