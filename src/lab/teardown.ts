// `podnet down`: remove everything a lab created, from its journal — also after `up` crashed
// half-way or the daemon died. Every step tolerates "already gone", so it can be run again.
import { readJournal } from '../sys/journal.js';
import { deleteNetns, pidsInNetns, unmountAll } from '../sys/netns.js';
import { terminate } from '../sys/proc.js';
import { removeEmptyDir, removeTree } from '../sys/files.js';
import { RUN_ROOT, labDir, podEtcDir } from './names.js';

export interface TeardownReport {
  namespaces: number;
  processes: number;
}

export async function teardownLab(lab: string): Promise<TeardownReport> {
  const dir = labDir(lab);
  const entries = readJournal(dir);
  const netns = [...new Set(entries.flatMap((e) => (e.type === 'netns' ? [e.name] : [])))];
  const recorded = entries.flatMap((e) => (e.type === 'process' ? [{ pid: e.pid, start: e.start }] : []));

  // The daemon first (it would restart containers), then every process inside the lab's namespaces:
  // only processes the lab started can be there, since the namespaces are the lab's own.
  await terminate(recorded, 2000);
  const inside = pidsInNetns(netns).map((pid) => ({ pid }));
  await terminate(inside, 1000);

  await unmountAll(entries.flatMap((e) => (e.type === 'mount' ? [e.path] : [])));
  await deleteNetns(netns);
  for (const name of netns) await removeTree(podEtcDir(name));
  for (const e of entries) if (e.type === 'dir') await removeTree(e.path);
  await removeTree(dir);
  // Parent folders the lab may have created: removed only when nothing else is left in them.
  await removeEmptyDir(RUN_ROOT);
  await removeEmptyDir('/etc/netns');
  return { namespaces: netns.length, processes: recorded.length + inside.length };
}
