// The CLI's (and tests') client for the lab daemon's unix-socket API.
import { request } from 'node:http';
import type { KubeObject, Loaded } from '../../api/types.js';
import { apiSocket } from '../names.js';
import type { ApplyResult } from './lab.js';

export class LabUnavailableError extends Error {
  readonly code = 'ENOLAB';
}

export interface NodeStatus {
  name: string;
  netns: string;
  podCIDRs: string[];
  underlayIPs: string[];
  podMTU: number;
  /** The node's last service proxy and network policy syncs. */
  proxySync?: { ms: number; full: boolean; error?: string };
  policySync?: { mode: string; ms: number; cut: number; error?: string };
}

export class LabClient {
  constructor(readonly name: string) {}

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: apiSocket(this.name), method, path, headers: payload ? { 'content-type': 'application/json' } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let value: { error?: string } & Record<string, unknown>;
          try {
            value = JSON.parse(Buffer.concat(chunks).toString());
          } catch {
            return reject(new Error(`lab ${this.name}: bad answer from the lab daemon`));
          }
          if ((res.statusCode ?? 500) >= 400) reject(new Error(value.error ?? `lab ${this.name}: HTTP ${res.statusCode}`));
          else resolve(value as T);
        });
      });
      req.on('error', () => reject(new LabUnavailableError(`no running lab named ${this.name} (podnet up --name ${this.name}, or podnet status)`)));
      req.end(payload);
    });
  }

  async ping(): Promise<boolean> {
    return this.call('GET', '/v1/status').then(() => true, () => false);
  }

  status(): Promise<{ name: string; pid: number; config: unknown; nodes: NodeStatus[] }> {
    return this.call('GET', '/v1/status');
  }

  async list(kind: string, namespace?: string): Promise<KubeObject[]> {
    const q = new URLSearchParams({ kind, ...(namespace ? { namespace } : {}) });
    return (await this.call<{ items: KubeObject[] }>('GET', `/v1/objects?${q}`)).items;
  }

  async apply(objects: Loaded[]): Promise<ApplyResult[]> {
    return (await this.call<{ results: ApplyResult[] }>('POST', '/v1/apply', { objects })).results;
  }

  async delete(objects: Loaded[]): Promise<ApplyResult[]> {
    return (await this.call<{ results: ApplyResult[] }>('POST', '/v1/delete', { objects })).results;
  }

  async shutdown(): Promise<void> {
    await this.call('POST', '/v1/shutdown');
  }
}
