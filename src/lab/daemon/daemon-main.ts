// The lab daemon: `node daemon-main.js <lab>`, started detached by `podnet up`. It builds the lab's
// network, runs the node agents and the pods, and serves the CLI. A start-up failure is written to
// /run/podnet/<lab>/error (one line) for `up` to print, then the daemon exits non-zero.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterConfig } from '../../api/types.js';
import { apiSocket, labDir } from '../names.js';
import { Lab } from './lab.js';
import { serve } from './server.js';

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(here, '../../..'); // dist/src/lab/daemon → dist

async function main(): Promise<void> {
  const name = process.argv[2];
  const dir = labDir(name);
  const config = JSON.parse(readFileSync(`${dir}/config.json`, 'utf8')) as ClusterConfig;
  const lab = new Lab(config, {
    builtins: { node: process.execPath, agnhost: `${dist}/src/lab/agnhost/agnhost-main.js`, dns: `${dist}/src/dns/dns-main.js`, pause: `${dist}/lab-bin/pause`, netexec: `${dist}/lab-bin/netexec`, enter: `${dist}/lab-bin/podnet-enter` },
    cniBin: `${dist}/cni-bin`,
    agentMain: `${dist}/src/cni/agent-main.js`,
    apiSocket: apiSocket(name),
  });
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    lab.shutdown().finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  try {
    // Serving while the network is built: `up` sends its objects meanwhile (Lab.apply waits for start).
    const started = lab.start();
    started.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
    await serve(lab, apiSocket(name), { shutdown });
    await started;
    process.stdout.write(`lab ${name} ready\n`);
  } catch (err) {
    writeFileSync(`${dir}/error`, `${(err as Error).message}\n`);
    process.stderr.write(`${(err as Error).stack}\n`);
    await lab.shutdown().catch(() => undefined);
    process.exit(1);
  }
}

void main();
