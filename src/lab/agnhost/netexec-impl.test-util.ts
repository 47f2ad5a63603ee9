// The two netexec implementations behind one interface, so that netexec.test.ts runs every case
// against both: the TypeScript server in-process, and the native program (dist/lab-bin/netexec,
// src/lab/netexec/) as the lab runs it, a child process found by the port it logs.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNetexec } from './netexec.js';

export type Impl = 'ts' | 'native';
export const IMPLS: readonly Impl[] = ['ts', 'native'];

export const nativeNetexecPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../../lab-bin/netexec');

export interface NetexecUnderTest {
  httpPort: number;
  udpPorts: number[];
  /** What SIGTERM does: /readyz turns 503 (the native one gets a real SIGTERM). */
  terminate(): void;
  /** The code the server exits with after /exit or /shutdown. */
  exited: Promise<number>;
  close(): Promise<void>;
}

export interface ImplOptions {
  udpPort?: number;
  httpOverride?: string;
}

export async function startImpl(impl: Impl, o: ImplOptions = {}): Promise<NetexecUnderTest> {
  const udpPort = o.udpPort ?? 0;
  if (impl === 'ts') {
    let onExit: (c: number) => void = () => undefined;
    const exited = new Promise<number>((r) => (onExit = r));
    const h = await startNetexec({ httpPort: 0, udpPort, bindHost: '127.0.0.1', httpOverride: o.httpOverride, exit: (c) => onExit(c) });
    return { httpPort: h.httpPort, udpPorts: h.udpPorts, terminate: () => h.markTerminating(), exited, close: () => h.close() };
  }
  const args = ['--http-port=0', `--udp-port=${udpPort}`, '--delay-shutdown=30'];
  if (o.httpOverride) args.push(`--http-override=${o.httpOverride}`);
  return spawnNative(args);
}

/** Starts the native netexec with args and waits for its "Started HTTP server" line. */
export function spawnNative(args: string[]): Promise<NetexecUnderTest> {
  const child = spawn(nativeNetexecPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PODNET_AGNHOST_BIND_ADDRESS: '127.0.0.1' } });
  const exited = new Promise<number>((r) => child.once('exit', (code, sig) => r(code ?? (sig ? 128 : -1))));
  return new Promise((resolvePromise, reject) => {
    let log = '';
    const udpPorts: number[] = [];
    const timer = setTimeout(() => reject(new Error(`native netexec did not start: ${log}`)), 5000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      log += d;
      for (const m of log.matchAll(/Started UDP server on port \S* (\d+)/g)) if (!udpPorts.includes(Number(m[1]))) udpPorts.push(Number(m[1]));
      const http = /Started HTTP server on port (\d+)/.exec(log);
      if (http) {
        clearTimeout(timer);
        resolvePromise({
          httpPort: Number(http[1]),
          udpPorts,
          terminate: () => child.kill('SIGTERM'),
          exited,
          close: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`native netexec exited ${code}: ${log}`));
    });
  });
}
