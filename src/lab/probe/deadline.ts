// A probe's timeout that a stalled prober does not turn into a false "timeout". Timers run before
// I/O in each turn of Node's event loop: when the prober gets no CPU for longer than the timeout (a
// 1,000-pod lab on a busy 2-CPU machine), the timer and the already-established connection are both
// pending when it wakes, and the timer would win. So the deadline, once due, waits for one more
// poll of I/O (setImmediate runs after it) before it fires: an answer that had arrived still wins.
export function deadline(ms: number, fire: () => void): () => void {
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => {
    immediate = setImmediate(fire);
  }, ms);
  return () => {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}
