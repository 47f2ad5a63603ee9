// The plugin without an agent: the shim execs this when nothing listens on @podnet-cni.
// Reads the CNI environment and stdin, runs the same handler, prints, exits with its code.
import { handleCni } from './plugin.js';

const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const env: Record<string, string> = {};
for (const [k, v] of Object.entries(process.env)) if (v !== undefined && (k.startsWith('CNI_') || k === 'PATH')) env[k] = v;
const res = await handleCni({ env, stdin: Buffer.concat(chunks).toString('utf8') });
process.stdout.write(res.stdout, () => process.exit(res.exitCode));
