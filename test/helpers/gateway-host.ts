// Host-side helpers of the gateway tests. sendFromHost only ever talks to 127.0.0.1 (a
// port-forward's listener): the host namespace never sends to lab addresses.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { listNetns } from '../../src/sys/netns.js';
import { labDir } from '../../src/lab/names.js';
import type { Answer } from './gateway-lab.js';
import { hostSnapshot } from './lab.js';

export function sendFromHost(r: { address: string; port: number; host: string; path: string; method: string; headers: Record<string, string> }): Promise<Answer> {
  assert.equal(r.address, '127.0.0.1', 'the host namespace only talks to 127.0.0.1');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: r.port, path: r.path, method: r.method, headers: { ...r.headers, host: r.host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      const headers: Record<string, string> = {};
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        const k = res.rawHeaders[i].toLowerCase();
        headers[k] = k in headers ? `${headers[k]},${res.rawHeaders[i + 1]}` : res.rawHeaders[i + 1];
      }
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/**
 * This lab left nothing: no namespace with its prefix, no state directory, and the shared host
 * snapshot (links, nft tables, mounts, podnet processes) as before. Other engineers' labs can
 * make the snapshot differ spuriously: rerun then (see the README of the brief).
 */
export async function assertLabGone(name: string, before: Record<string, string[]>): Promise<void> {
  assert.deepEqual((await listNetns()).filter((n) => n.startsWith(`pn-${name}-`)), []);
  assert.equal(existsSync(labDir(name)), false, `${labDir(name)} is left`);
  const after = await hostSnapshot();
  assert.deepEqual(after.links.filter((l) => l.includes(name)), []);
  assert.deepEqual(after.processes.filter((p) => p.includes(name)), before.processes.filter((p) => p.includes(name)));
  // The gateway proxies name their table under the lab's directory; the port-forward helper its pod's netns.
  const mine = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((p) => {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      return cmd.includes(`${labDir(name)}/`) || cmd.includes(`pn-${name}-`) ? [cmd] : [];
    } catch {
      return [];
    }
  });
  assert.deepEqual(mine, [], 'processes of the lab are left');
}
