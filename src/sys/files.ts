// Reading manifests (files or folders of .yaml/.yml/.json) and the lab's small state files.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export class FileError extends Error {
  readonly code = 'EFILE';
}

/** Expands folders (sorted, non-recursive into hidden entries) and reads every manifest file. */
export async function readManifestFiles(paths: string[]): Promise<{ file: string; text: string }[]> {
  const out: { file: string; text: string }[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch {
      throw new FileError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      const entries = (await readdir(p)).filter((e) => !e.startsWith('.')).sort();
      const nested = entries.map((e) => join(p, e));
      const files = [];
      for (const e of nested) {
        const s = await stat(e);
        if (s.isDirectory() || /\.(ya?ml|json)$/i.test(e)) files.push(e);
      }
      out.push(...(await readManifestFiles(files)));
    } else {
      out.push({ file: p, text: await readFile(p, 'utf8') });
    }
  }
  return out;
}

export async function removeTree(path: string): Promise<void> {
  const { rm } = await import('node:fs/promises');
  await rm(path, { recursive: true, force: true });
}

/** Prints a file; with `follow`, keeps printing what is appended (until interrupted). */
export async function printFile(path: string, follow: boolean): Promise<void> {
  const { open } = await import('node:fs/promises');
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    throw new FileError(`no logs yet (${path})`);
  }
  let pos = 0;
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead > 0) {
      process.stdout.write(buf.subarray(0, bytesRead));
      pos += bytesRead;
      continue;
    }
    if (!follow) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await fh.close();
}

export async function removeEmptyDir(path: string): Promise<void> {
  const { rmdir } = await import('node:fs/promises');
  await rmdir(path).catch(() => undefined); // ENOTEMPTY or ENOENT: leave it
}
