// An `ip -batch -` process started before its commands are known. ADD spends most of its time
// starting processes (fork/exec of nsenter and ip, ~2-3 ms each here), so it starts both batches
// (node side and pod side) first, computes IPAM meanwhile, then feeds them: `ip -batch` reads
// stdin line by line, so the pod batch is fed only after the node batch has created eth0.
import { spawn } from 'node:child_process';
import { CommandError, inNetns, MissingToolError } from '../../sys/exec.js';

export interface PendingBatch {
  /** Writes the lines, closes stdin and resolves when ip exits 0 (rejects with CommandError). */
  run(lines: string[]): Promise<void>;
  /** Ends the process without running anything (idempotent). */
  cancel(): void;
}

export function startIpBatch(netns?: string): PendingBatch {
  const argv = inNetns(netns, ['ip', '-batch', '-']);
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdin.on('error', () => undefined);
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new MissingToolError(argv[0]) : e));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new CommandError(argv, code ?? 1, stderr))));
  });
  exited.catch(() => undefined); // observed through run(); cancelled batches are not errors
  let ended = false;
  return {
    run(lines) {
      if (!ended) {
        ended = true;
        child.stdin.end(lines.length ? lines.join('\n') + '\n' : '');
      }
      return exited;
    },
    cancel() {
      if (!ended) {
        ended = true;
        child.stdin.end();
      }
    },
  };
}
