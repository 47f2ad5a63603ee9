// Small filesystem look-ups the plugin and runtime need (kept here, with the other file I/O).
import { access, constants, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { netnsPath } from '../../sys/exec.js';

/** True when the network namespace (name or path) exists. */
export async function netnsExists(netns: string): Promise<boolean> {
  try {
    await stat(netnsPath(netns));
    return true;
  } catch {
    return false;
  }
}

/** The first executable `<dir>/<type>` along the CNI_PATH directories, like libcni's FindInPath. */
export async function findPlugin(type: string, dirs: string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    const p = join(dir, type);
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      // next directory
    }
  }
  return undefined;
}
