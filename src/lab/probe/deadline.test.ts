import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect } from 'node:net';
import { deadline } from './deadline.js';

test('deadline: an answer pending when the prober wakes from a stall beats the timeout', async () => {
  const server = createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  try {
    const verdict = await new Promise<string>((resolve) => {
      let settled = false;
      const done = (v: string) => {
        if (settled) return;
        settled = true;
        cancel();
        sock.destroy();
        resolve(v);
      };
      const sock = connect({ host: '127.0.0.1', port });
      sock.on('connect', () => done('connected'));
      const cancel = deadline(20, () => done('timeout'));
      // The prober gets no CPU for longer than the timeout: the connection completes meanwhile.
      const until = Date.now() + 100;
      while (Date.now() < until) { /* stall */ }
    });
    assert.equal(verdict, 'connected');
  } finally {
    server.close();
  }
});

test('deadline: fires when nothing comes, and not once cancelled', async () => {
  let fired = 0;
  deadline(5, () => fired++);
  const cancel = deadline(5, () => fired++);
  cancel();
  await new Promise((r) => setTimeout(r, 40));
  await new Promise((r) => setImmediate(r)); // the deadline's own last step
  assert.equal(fired, 1);
});
