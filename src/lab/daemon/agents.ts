// One node agent per node, running inside the node's network namespace: it serves the CNI plugin's
// requests on the namespace's abstract socket, so ADD costs no Node.js start-up.
import { spawn } from 'node:child_process';
import { openSync, closeSync, mkdirSync } from 'node:fs';
import { record } from '../../sys/journal.js';
import { processStart, signal } from '../../sys/proc.js';
import { labDir, nodeDir } from '../names.js';
import type { NodePlan } from '../network-plan.js';

export interface Agent {
  pid: number;
  stop(): void;
}

export async function startAgent(lab: string, node: NodePlan, agentMain: string): Promise<Agent> {
  const dir = nodeDir(lab, node.name);
  mkdirSync(dir, { recursive: true });
  const log = openSync(`${dir}/agent.log`, 'a');
  const child = spawn('nsenter', [`--net=/run/netns/${node.netns}`, '--', process.execPath, agentMain], {
    stdio: ['ignore', 'pipe', log],
    detached: true,
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`node ${node.name}: could not start the node agent`);
  record(labDir(lab), { type: 'process', pid, start: processStart(pid), what: `agent ${node.name}` });
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`node ${node.name}: agent not ready after 10s (see ${dir}/agent.log)`)), 10000);
    child.stdout?.on('data', (b: Buffer) => {
      buf += b.toString();
      if (buf.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${node.name}: agent exited with ${code} (see ${dir}/agent.log)`));
    });
  });
  child.stdout?.resume();
  return { pid, stop: () => void signal(pid, 'SIGTERM') };
}
