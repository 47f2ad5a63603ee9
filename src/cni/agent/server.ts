// The node agent: serves CNI requests from the shim on the abstract unix socket @podnet-cni of the
// network namespace it runs in (abstract names are per netns: one agent per node). Requests are
// handled concurrently; correctness under concurrency comes from the IPAM store's O_EXCL files.
import { createServer, type Server } from 'node:net';
import { decodeRequest, encodeResponse } from '../framing.js';
import { handleCni, type HandleHooks } from '../plugin.js';
import { CniCode } from '../errors.js';
import { LATEST_VERSION } from '../version.js';
import { keepSpareHelper, nodeIp } from './ip-batch.js';

export const SOCKET_NAME = '\0podnet-cni';
const MAX_REQUEST = 4 << 20;

export interface AgentOptions {
  socket?: string;
  log?: (line: string) => void;
}

export async function startAgent(opts: AgentOptions = {}): Promise<Server> {
  const hooks: HandleHooks = { log: opts.log };
  // Start the ip processes ADD uses now rather than in the first ADD (see ip-batch.ts).
  nodeIp.warm();
  keepSpareHelper();
  // allowHalfOpen: the shim shuts down its write side to mark the end of the request and then
  // waits for the reply; without it Node would close our side on the first FIN.
  const server = createServer({ allowHalfOpen: true }, (sock) => {
    const chunks: Buffer[] = [];
    let size = 0;
    sock.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_REQUEST) sock.destroy();
      else chunks.push(b);
    });
    sock.on('error', (e) => opts.log?.(`connection error: ${e.message}`));
    sock.on('end', () => {
      const req = decodeRequest(Buffer.concat(chunks));
      const reply = req
        ? handleCni(req, hooks)
        : Promise.resolve({ exitCode: CniCode.DecodeFailure, stdout: JSON.stringify({ cniVersion: LATEST_VERSION, code: CniCode.DecodeFailure, msg: 'malformed request from shim' }) });
      reply.then((res) => sock.end(encodeResponse(res)), (e: unknown) => {
        opts.log?.(`internal error: ${String(e)}`);
        sock.destroy();
      }).finally(() => setImmediate(keepSpareHelper)); // replace a used spare once we have answered
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path: opts.socket ?? SOCKET_NAME }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
