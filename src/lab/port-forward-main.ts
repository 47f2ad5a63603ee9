// The lab half of `podnet port-forward` (src/sys/port-forward.ts starts it inside the target's
// network namespace): it receives accepted client sockets over the IPC channel and pipes each to a
// new connection to HOST:PORT, dialled from inside the lab. It exits with its parent.
import { connect, type Socket } from 'node:net';

const [host, portText] = process.argv.slice(2);
const port = Number(portText);
if (!host || !Number.isInteger(port) || port < 1 || port > 65535 || !process.send) {
  process.stderr.write('usage: port-forward-main HOST PORT (started by podnet port-forward, with an IPC channel)\n');
  process.exit(2);
}

process.on('message', (msg: unknown, socket?: Socket) => {
  if (msg !== 'conn' || !socket) return;
  const upstream = connect({ host, port });
  const done = () => {
    socket.destroy();
    upstream.destroy();
  };
  upstream.on('error', (err) => {
    process.stderr.write(`port-forward: ${host}:${port}: ${err.message}\n`);
    done();
  });
  socket.on('error', done);
  socket.pipe(upstream).pipe(socket);
  socket.resume();
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.send('ready');
