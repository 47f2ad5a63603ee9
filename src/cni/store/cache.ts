// libcni-style result cache (<cacheDir>/results/<network>-<containerID>-<ifname>), used by
// runtime.ts so DEL and CHECK get the ADD result as prevResult.
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CachedAttachment {
  kind: 'cni#v1';
  containerId: string;
  ifName: string;
  networkName: string;
  netns: string;
  cniArgs: Record<string, string>;
  capabilityArgs: Record<string, unknown>;
  result: unknown;
}

function file(cacheDir: string, network: string, containerID: string, ifname: string): string {
  return join(cacheDir, 'results', `${network}-${containerID}-${ifname}`);
}

export async function readCached(cacheDir: string, network: string, containerID: string, ifname: string): Promise<CachedAttachment | undefined> {
  try {
    return JSON.parse(await readFile(file(cacheDir, network, containerID, ifname), 'utf8')) as CachedAttachment;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export async function writeCached(cacheDir: string, entry: CachedAttachment): Promise<void> {
  const f = file(cacheDir, entry.networkName, entry.containerId, entry.ifName);
  await mkdir(join(cacheDir, 'results'), { recursive: true });
  const tmp = `${f}.tmp${process.pid}`;
  await writeFile(tmp, JSON.stringify(entry));
  await rename(tmp, f);
}

export async function removeCached(cacheDir: string, network: string, containerID: string, ifname: string): Promise<void> {
  await unlink(file(cacheDir, network, containerID, ifname)).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}
