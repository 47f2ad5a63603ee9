// The per-node processes, each running inside its node's network namespace (where a kubelet and
// its helpers live): the node agent, which serves the CNI plugin's requests on the namespace's
// abstract socket so ADD costs no Node.js start-up; and the prober, which runs the node's HTTP and
// TCP probes (src/lab/readiness), so that no probe traffic ever leaves the host namespace.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { record } from '../../sys/journal.js';
import { processStart, signal } from '../../sys/proc.js';
import { labDir, nodeDir } from '../names.js';
import type { NodePlan } from '../network-plan.js';
import type { StartProber } from '../readiness/manager.js';

/** The prober's entry, beside this file in dist/src/lab. */
export const PROBER_MAIN = fileURLToPath(new URL('../readiness/prober-main.js', import.meta.url));

export interface Agent {
  pid: number;
  stop(): void;
}

/** A node process spoken to in lines: commands on its stdin, replies on its stdout. */
export interface LineProcess extends Agent {
  send(line: string): void;
}

/**
 * `nsenter --net=<node> node <main>`, recorded in the journal before anything else (so `down`
 * kills it whatever happens next), logging to nodes/<node>/<role>.log; resolves once the process
 * prints `ready`, rejects if it exits first or stays silent for 10 s.
 */
async function startInNode(lab: string, node: NodePlan, main: string, role: string, stdin: 'ignore' | 'pipe'): Promise<ChildProcess> {
  const dir = nodeDir(lab, node.name);
  mkdirSync(dir, { recursive: true });
  const log = openSync(`${dir}/${role}.log`, 'a');
  const child = spawn('nsenter', [`--net=/run/netns/${node.netns}`, '--', process.execPath, main], {
    stdio: [stdin, 'pipe', log],
    detached: true,
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`node ${node.name}: could not start the node ${role}`);
  record(labDir(lab), { type: 'process', pid, start: processStart(pid), what: `${role} ${node.name}` });
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`node ${node.name}: ${role} not ready after 10s (see ${dir}/${role}.log)`)), 10000);
    const onData = (b: Buffer) => {
      buf += b.toString();
      if (buf.includes('ready')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`node ${node.name}: ${role} exited with ${code} (see ${dir}/${role}.log)`));
    };
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
  });
  return child;
}

export async function startAgent(lab: string, node: NodePlan, agentMain: string): Promise<Agent> {
  const child = await startInNode(lab, node, agentMain, 'agent', 'ignore');
  child.stdout?.resume();
  const pid = child.pid as number;
  return { pid, stop: () => void signal(pid, 'SIGTERM') };
}

/**
 * The node's prober (src/lab/readiness/prober-main.ts). `onLine` hears each line it writes after
 * `ready`; `onExit` hears once that it went away (it also exits by itself when its stdin closes,
 * so it never outlives the daemon).
 */
export async function startProber(
  lab: string, node: NodePlan, proberMain: string, onLine: (line: string) => void, onExit: (why: string) => void,
): Promise<LineProcess> {
  const child = await startInNode(lab, node, proberMain, 'prober', 'pipe');
  const pid = child.pid as number;
  let alive = true;
  child.on('exit', (code, sig) => {
    alive = false;
    onExit(sig ? `killed by ${sig}` : `exited with ${code}`);
  });
  // A write after the process died would raise EPIPE; the exit handler reports it instead.
  child.stdin?.on('error', () => undefined);
  if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
  return {
    pid,
    send: (line) => {
      if (alive) child.stdin?.write(line + '\n');
    },
    stop: () => {
      alive = false;
      child.stdin?.end();
      signal(pid, 'SIGTERM');
    },
  };
}

/** ReadinessManager's way to start a node's prober in this lab. */
export function proberStarter(lab: string, nodes: NodePlan[], proberMain = PROBER_MAIN): StartProber {
  return async (name, onLine, onExit) => {
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name} to start a prober on`);
    return startProber(lab, node, proberMain, onLine, onExit);
  };
}
