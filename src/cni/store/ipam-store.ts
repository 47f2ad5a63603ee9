// On-disk allocation store, in the spirit of host-local's disk backend: a directory per network
// (<dataDir>/<network name>/), one file per allocated address named after it and containing
// "containerID\nifname", and last_reserved_ip.<set> per range set. Files are created with 'wx'
// (O_CREAT|O_EXCL), which is what makes concurrent allocators from several processes safe.
// We add an index (by-attachment/<containerID>_<ifname>) so ADD/DEL find an attachment in O(1).
import { mkdir, readdir, readFile, rename, unlink, writeFile, access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import type { Allocation, AllocStore } from '../ipam/allocator.js';

const isIpName = (n: string) => /^[0-9.]+$/.test(n) || (n.includes(':') && /^[0-9a-f:]+$/.test(n));

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code;
}

export class DiskStore implements AllocStore {
  private ready: Promise<void> | undefined;
  /** last_reserved_ip.<set> as this process last read or wrote it: a hint, so one read is enough. */
  private last = new Map<number, string | undefined>();

  constructor(readonly dir: string) {}

  /** mkdir -p once per store (the agent keeps stores across requests). */
  private ensureDir(): Promise<void> {
    this.ready ??= mkdir(join(this.dir, 'by-attachment'), { recursive: true }).then(() => undefined, (e) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  private ipPath(ip: string): string {
    return join(this.dir, ip);
  }

  private indexPath(containerID: string, ifname: string): string {
    return join(this.dir, 'by-attachment', `${containerID}_${ifname}`);
  }

  async reserve(ip: string, containerID: string, ifname: string): Promise<boolean> {
    await this.ensureDir();
    try {
      await writeFile(this.ipPath(ip), `${containerID}\n${ifname}`, { flag: 'wx' });
      return true;
    } catch (e) {
      if (errno(e) === 'EEXIST') return false;
      throw e;
    }
  }

  async owner(ip: string): Promise<{ containerID: string; ifname: string } | undefined> {
    try {
      const [containerID, ifname] = (await readFile(this.ipPath(ip), 'utf8')).split(/\r?\n/);
      return { containerID: containerID.trim(), ifname: (ifname ?? '').trim() };
    } catch (e) {
      if (errno(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  async release(ip: string, containerID: string, ifname: string): Promise<void> {
    const o = await this.owner(ip);
    // Never free an address some other attachment has taken since (host-local checks the same).
    if (!o || o.containerID !== containerID || (o.ifname && o.ifname !== ifname)) return;
    await unlink(this.ipPath(ip)).catch((e) => {
      if (errno(e) !== 'ENOENT') throw e;
    });
  }

  async lastReserved(setIndex: number): Promise<string | undefined> {
    if (this.last.has(setIndex)) return this.last.get(setIndex);
    let ip: string | undefined;
    try {
      ip = (await readFile(join(this.dir, `last_reserved_ip.${setIndex}`), 'utf8')).trim() || undefined;
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
    }
    if (!this.last.has(setIndex)) this.last.set(setIndex, ip);
    return this.last.get(setIndex);
  }

  async setLastReserved(setIndex: number, ip: string): Promise<void> {
    this.last.set(setIndex, ip); // at once: a concurrent allocation continues after it
    // Write-then-rename so a concurrent reader never sees a half-written file.
    const tmp = join(this.dir, `.last_reserved_ip.${setIndex}.${process.pid}.${Math.random().toString(36).slice(2)}`);
    await writeFile(tmp, ip);
    await rename(tmp, join(this.dir, `last_reserved_ip.${setIndex}`));
  }

  async byAttachment(containerID: string, ifname: string): Promise<string[]> {
    try {
      const ips = JSON.parse(await readFile(this.indexPath(containerID, ifname), 'utf8')) as string[];
      // The index is a hint; the per-IP files are the truth.
      const owned = await Promise.all(ips.map(async (ip) => {
        const o = await this.owner(ip);
        return o?.containerID === containerID && o.ifname === ifname;
      }));
      return owned.every(Boolean) ? ips : [];
    } catch (e) {
      if (errno(e) === 'ENOENT') return [];
      if (e instanceof SyntaxError) return [];
      throw e;
    }
  }

  async recordAttachment(containerID: string, ifname: string, ips: string[]): Promise<void> {
    await this.ensureDir();
    await writeFile(this.indexPath(containerID, ifname), JSON.stringify(ips));
  }

  async forgetAttachment(containerID: string, ifname: string): Promise<void> {
    await unlink(this.indexPath(containerID, ifname)).catch((e) => {
      if (errno(e) !== 'ENOENT') throw e;
    });
  }

  async list(): Promise<Allocation[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if (errno(e) === 'ENOENT') return [];
      throw e;
    }
    const out: Allocation[] = [];
    for (const ip of names.filter(isIpName)) {
      const o = await this.owner(ip);
      if (o) out.push({ ip, ...o });
    }
    return out;
  }

  /** STATUS: the store can be created and written. */
  async writable(): Promise<void> {
    await this.ensureDir();
    await access(this.dir, constants.W_OK);
  }
}
