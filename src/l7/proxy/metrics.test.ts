import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProxyMetrics } from './metrics.js';

describe('ProxyMetrics.observe (cached label children)', () => {
  it('counts per listener, route, backend and status class, and keeps series apart', async () => {
    const m = new ProxyMetrics();
    m.observe('l', 'r1', 'b', 200, 0.0002);
    m.observe('l', 'r1', 'b', 204, 0.003);
    m.observe('l', 'r1', 'b', 503, 0.2);
    m.observe('l', 'r2', 'b', 200, 0.0002);
    // A name with the separator's neighbours must not collide with another triple.
    m.observe('l', 'r1\u0000b', '', 200, 1);
    const text = await m.registry.metrics();
    assert.match(text, /podnet_l7_requests_total\{listener="l",route="r1",backend="b",code="2xx"\} 2\n/);
    assert.match(text, /podnet_l7_requests_total\{listener="l",route="r1",backend="b",code="5xx"\} 1\n/);
    assert.match(text, /podnet_l7_requests_total\{listener="l",route="r2",backend="b",code="2xx"\} 1\n/);
    assert.match(text, /podnet_l7_request_duration_seconds_bucket\{le="0.0005",listener="l",route="r1",backend="b"\} 1\n/);
    assert.match(text, /podnet_l7_request_duration_seconds_count\{listener="l",route="r1",backend="b"\} 3\n/);
    assert.match(text, /podnet_l7_requests_total\{listener="l",route="r1\u0000b",backend="",code="2xx"\} 1\n/);
  });
});
