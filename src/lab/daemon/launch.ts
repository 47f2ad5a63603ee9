// `podnet up` as a function: validate everything first (nothing is created for bad input), start
// the lab daemon, hand it the objects, wait for the pods, and roll the whole lab back on failure.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterConfig, Loaded, V1Pod } from '../../api/types.js';
import { parseManifests, type SkippedObject } from '../../api/manifests.js';
import { resolveCluster } from '../../api/cluster.js';
import { validateObjects } from '../../api/validate.js';
import { podnetKinds } from '../../kinds.js';
import { readManifestFiles } from '../../sys/files.js';
import { requireTools } from '../../sys/exec.js';
import { record, readJournal } from '../../sys/journal.js';
import { isAlive, processStart, sleep } from '../../sys/proc.js';
import { labDir, RUN_ROOT, apiSocket } from '../names.js';
import { teardownLab } from '../teardown.js';
import { LabClient } from './client.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REQUIRED_TOOLS = ['ip', 'bridge', 'nft', 'nsenter', 'unshare', 'sysctl', 'umount'];

export class LabError extends Error {
  readonly code = 'ELAB';
}

export interface UpOptions {
  files: string[];
  name?: string;
  nodes?: number;
  backend?: string;
  ipFamily?: string;
  timeoutMs?: number;
}

export interface UpResult {
  config: ClusterConfig;
  pods: V1Pod[];
  skipped: SkippedObject[];
  elapsedMs: number;
}

export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new LabError(`${what} must run as root: it creates network namespaces (try sudo)`);
}

export async function loadManifests(files: string[]): Promise<{ objects: Loaded[]; skipped: SkippedObject[] }> {
  return parseManifests(await readManifestFiles(files), podnetKinds());
}

/** The daemon's pid if the lab is running. */
export function daemonPid(name: string): number | undefined {
  const entry = readJournal(labDir(name)).find((e) => e.type === 'process' && e.what === 'daemon');
  return entry && entry.type === 'process' && isAlive(entry.pid, entry.start) ? entry.pid : undefined;
}

export function runningLabs(): string[] {
  if (!existsSync(RUN_ROOT)) return [];
  return readdirSync(RUN_ROOT).filter((n) => daemonPid(n) !== undefined).sort();
}

/** `--name`, else the only running lab, else `podnet`. */
export function pickLab(name?: string): string {
  if (name) return name;
  const running = runningLabs();
  return running.length === 1 ? running[0] : 'podnet';
}

export async function labUp(opts: UpOptions): Promise<UpResult> {
  const started = Date.now();
  requireRoot('podnet up');
  requireTools(REQUIRED_TOOLS);
  const { objects, skipped } = await loadManifests(opts.files);
  const clusterDoc = objects.find((o) => o.object.kind === 'Cluster');
  const config = resolveCluster({ name: opts.name, nodes: opts.nodes, backend: opts.backend, ipFamily: opts.ipFamily }, clusterDoc);
  // The Cluster document too: validateObjects is what refuses a second one.
  validateObjects(objects, new Set(), podnetKinds());
  const userObjects = objects.filter((o) => o.object.kind !== 'Cluster');

  const dir = labDir(config.name);
  if (daemonPid(config.name) !== undefined) throw new LabError(`lab ${config.name} is already running (podnet down --name ${config.name})`);
  if (existsSync(dir)) await teardownLab(config.name); // leftovers of a crashed lab
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/config.json`, JSON.stringify(config, null, 2) + '\n');
    await startDaemon(config.name);
    const client = new LabClient(config.name);
    await client.apply(userObjects);
    const pods = await waitForPods(client, opts.timeoutMs ?? 120_000);
    return { config, pods, skipped, elapsedMs: Date.now() - started };
  } catch (err) {
    // The daemon serves while it builds the network: a failure there shows to the apply as a lost
    // connection, and the daemon's one-line reason is in its error file.
    const reason = existsSync(`${dir}/error`) ? readFileSync(`${dir}/error`, 'utf8').trim() : '';
    await teardownLab(config.name).catch(() => undefined);
    throw reason ? new LabError(reason) : err;
  }
}

async function startDaemon(name: string): Promise<void> {
  const dir = labDir(name);
  const log = openSync(`${dir}/daemon.log`, 'a');
  // PODNET_PROFILE=DIR: the daemon writes a V8 CPU profile of its life into DIR when it exits
  // (`podnet down`); open it in Chrome DevTools or speedscope. Outside the lab's folder, which
  // `down` removes.
  const profDir = process.env.PODNET_PROFILE;
  const prof = profDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profDir)}`] : [];
  const child = spawn(process.execPath, [...prof, resolve(here, 'daemon-main.js'), name], { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  if (child.pid === undefined) throw new LabError(`lab ${name}: could not start the lab daemon`);
  record(dir, { type: 'process', pid: child.pid, start: processStart(child.pid), what: 'daemon' });
  let exited = false;
  child.on('exit', () => (exited = true));
  child.unref();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (existsSync(`${dir}/error`)) throw new LabError(readFileSync(`${dir}/error`, 'utf8').trim());
    if (exited) throw new LabError(`lab ${name}: the lab daemon exited during start-up (see ${dir}/daemon.log)`);
    if (existsSync(apiSocket(name)) && (await new LabClient(name).ping())) return;
    await sleep(20);
  }
  throw new LabError(`lab ${name}: the lab daemon did not come up within 30s (see ${dir}/daemon.log)`);
}

/** Until every pod runs (or has completed); a pod that cannot start fails the wait at once. */
export async function waitForPods(client: LabClient, timeoutMs: number): Promise<V1Pod[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pods = (await client.list('Pod')) as unknown as V1Pod[];
    const broken = pods.find((p) => p.status?.reason === 'CreatePodSandboxError' || p.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === 'CreateContainerError' || c.state?.waiting?.reason === 'RunContainerError'));
    if (broken) {
      const msg = broken.status?.message ?? broken.status?.containerStatuses?.find((c) => c.state?.waiting?.message)?.state?.waiting?.message;
      throw new LabError(`pod ${broken.metadata?.namespace}/${broken.metadata?.name}: ${msg ?? 'failed to start'}`);
    }
    // Running once every container has started (a crash-looping one included, as kubectl shows it).
    const done = pods.every((p) => p.status?.phase && p.status.phase !== 'Pending');
    if (done) return pods;
    if (Date.now() > deadline) {
      const waiting = pods.filter((p) => p.status?.phase !== 'Running').map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
      throw new LabError(`pods not running after ${timeoutMs / 1000}s: ${waiting.slice(0, 5).join(', ')}${waiting.length > 5 ? ', ...' : ''}`);
    }
    await sleep(50);
  }
}

export async function labDown(name: string): Promise<{ namespaces: number; processes: number }> {
  requireRoot('podnet down');
  if (!existsSync(labDir(name))) throw new LabError(`no lab named ${name} (podnet status lists running labs)`);
  const pid = daemonPid(name);
  if (pid !== undefined) await new LabClient(name).shutdown().catch(() => undefined);
  return teardownLab(name);
}
