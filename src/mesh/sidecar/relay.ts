// Byte relay between two connected streams, each direction ending on its own (half-close), and
// either side's error or close tearing down both, so no socket is left behind.
import type { Duplex } from 'node:stream';

export function relay(a: Duplex, b: Duplex, onClose?: (bytes: { up: number; down: number }) => void): void {
  let up = 0;
  let down = 0;
  a.on('data', (c: Buffer) => (up += c.length));
  b.on('data', (c: Buffer) => (down += c.length));
  a.pipe(b);
  b.pipe(a);
  let done = false;
  const close = () => {
    if (done) return;
    done = true;
    a.destroy();
    b.destroy();
    onClose?.({ up, down });
  };
  a.on('error', close).on('close', close);
  b.on('error', close).on('close', close);
}
