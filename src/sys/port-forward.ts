// The host half of `podnet port-forward`: a listener on 127.0.0.1 only (never another host address:
// the lab must not be reachable from outside), and one helper process inside the target's network
// namespace (lab/port-forward-main.ts, started with `ip netns exec`). Each accepted connection's
// socket is handed to the helper over the IPC channel, unread (pauseOnConnect), and the helper
// dials the target from inside the lab, as the kubelet's port-forward dials from the pod's netns.
// No traffic leaves the host namespace towards a lab address.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { inNetns } from './exec.js';

export interface PortForwardOptions {
  netns: string;
  /** Where the helper connects, inside the netns. */
  targetHost: string;
  targetPort: number;
  /** 0 picks a free port. */
  localPort: number;
  /** argv of the helper program (node and its script); host and port are appended. */
  helper: string[];
  onError?: (message: string) => void;
}

export interface PortForward {
  localPort: number;
  close: () => Promise<void>;
}

export async function startPortForward(o: PortForwardOptions): Promise<PortForward> {
  const [cmd, ...args] = inNetns(o.netns, [...o.helper, o.targetHost, String(o.targetPort)]);
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`port-forward helper in ${o.netns} exited (${code}) before it was ready`)));
    child.once('error', reject);
  });
  const server: Server = createServer({ pauseOnConnect: true }, (socket) => {
    if (!child.connected) {
      socket.destroy();
      return;
    }
    child.send('conn', socket, { keepOpen: false }, (err) => {
      if (err) {
        o.onError?.(`handing a connection to the helper: ${err.message}`);
        socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.localPort, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const localPort = typeof address === 'object' && address ? address.port : o.localPort;
  child.once('exit', () => server.close());
  return {
    localPort,
    close: () => new Promise<void>((resolve) => {
      server.close();
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
