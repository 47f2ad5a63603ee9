// An open-loop load generator for the sidecar row: requests are scheduled at a fixed rate (every
// 1/rate s) whatever the answers do, and each latency is measured from its scheduled time, not
// from when it was actually sent, so a stall shows up in the percentiles instead of silently
// lowering the rate (no coordinated omission). Keep-alive connections, as a sidecar's are.
// Usage: node dist/bench/paced-client-main.js URL RATE SECONDS [WARMUP_SECONDS]; prints JSON
// {sent, ok, failed, latenciesMs: number[]} (only the requests after the warm-up).
import { Agent, request } from 'node:http';

function main(): void {
  const [url, rateText, secondsText, warmText] = process.argv.slice(2);
  const rate = Number(rateText);
  const seconds = Number(secondsText);
  const warm = Number(warmText ?? '1');
  if (!url || !(rate > 0) || !(seconds > 0)) {
    process.stderr.write('usage: paced-client-main URL RATE SECONDS [WARMUP_SECONDS]\n');
    process.exit(2);
  }
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const interval = 1000 / rate;
  const total = Math.round(rate * (seconds + warm));
  const warmCount = Math.round(rate * warm);
  const latencies: number[] = [];
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let settled = 0;
  const t0 = performance.now();
  const done = () => {
    if (++settled < total) return;
    agent.destroy();
    process.stdout.write(JSON.stringify({ sent, ok, failed, latenciesMs: latencies }) + '\n');
  };
  const fire = (i: number, scheduled: number) => {
    const req = request(url, { agent, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) ok++;
        else failed++;
        if (i >= warmCount) latencies.push(performance.now() - scheduled);
        done();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      failed++;
      done();
    });
    req.end();
  };
  // A timer wakes up about every millisecond and sends every request whose time has come.
  const tick = () => {
    const now = performance.now();
    while (sent < total && t0 + sent * interval <= now) {
      fire(sent, t0 + sent * interval);
      sent++;
    }
    if (sent < total) setTimeout(tick, Math.max(0, Math.min(1, t0 + sent * interval - performance.now())));
  };
  tick();
}

main();
