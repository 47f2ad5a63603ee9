import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forwardRequestHeaders as list, forwardResponseHeaders, framingProblem, isWebSocketUpgrade, toHeaderMap, type ForwardContext } from './headers.js';

const forwardRequestHeaders = (raw: string[], ctx: ForwardContext) => toHeaderMap(list(raw, ctx));

describe('framingProblem (request smuggling)', () => {
  it('accepts one clear framing', () => {
    assert.equal(framingProblem(['Content-Length', '5']), undefined);
    assert.equal(framingProblem(['Transfer-Encoding', 'gzip, chunked']), undefined);
    assert.equal(framingProblem(['Content-Length', '5', 'content-length', '5']), undefined);
    assert.equal(framingProblem([]), undefined);
  });
  it('rejects CL with TE, differing or odd lengths, TE not ending in chunked', () => {
    assert.match(framingProblem(['Content-Length', '5', 'Transfer-Encoding', 'chunked']) ?? '', /both/);
    assert.match(framingProblem(['Content-Length', '5', 'Content-Length', '6']) ?? '', /differ/);
    assert.match(framingProblem(['Content-Length', '5, 6']) ?? '', /differ/);
    assert.match(framingProblem(['Content-Length', '-1']) ?? '', /decimal/);
    assert.match(framingProblem(['Content-Length', '0x10']) ?? '', /decimal/);
    assert.match(framingProblem(['Transfer-Encoding', 'chunked, identity']) ?? '', /chunked/);
  });
});

describe('forwardRequestHeaders', () => {
  const ctx = { clientIp: '10.0.0.9', proto: 'https', host: 'shop.example:8443' };
  it('strips hop-by-hop headers and those Connection names', () => {
    const out = forwardRequestHeaders(
      ['Host', 'x', 'Connection', 'keep-alive, X-Secret', 'Keep-Alive', '5', 'TE', 'trailers', 'Trailer', 'a', 'Upgrade', 'h2c',
        'Proxy-Authorization', 'p', 'Proxy-Connection', 'k', 'X-Secret', 's', 'X-Keep', 'k', 'traceparent', '00-abc-def-01'],
      ctx,
    );
    assert.deepEqual(Object.keys(out).sort(), ['traceparent', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-keep']);
    assert.equal(out['traceparent'], '00-abc-def-01');
  });
  it('appends the client to X-Forwarded-For and sets -Proto and -Host', () => {
    const out = forwardRequestHeaders(['X-Forwarded-For', '1.1.1.1', 'x-forwarded-for', '2.2.2.2', 'X-Forwarded-Proto', 'gopher', 'X-Forwarded-Host', 'evil'], ctx);
    assert.equal(out['x-forwarded-for'], '1.1.1.1, 2.2.2.2, 10.0.0.9');
    assert.equal(out['x-forwarded-proto'], 'https');
    assert.equal(out['x-forwarded-host'], 'shop.example:8443');
  });
  it('keeps repeated headers and drops HTTP/2 pseudo-headers', () => {
    const out = forwardRequestHeaders([':method', 'GET', ':path', '/', 'Cookie', 'a=1', 'cookie', 'b=2'], ctx);
    assert.deepEqual(out['cookie'], ['a=1', 'b=2']);
    assert.equal(out[':method'], undefined);
  });
  it('keeps the WebSocket handshake headers when asked', () => {
    const out = forwardRequestHeaders(['Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'], { ...ctx, websocket: true });
    assert.equal(out['upgrade'], 'websocket');
    assert.equal(out['sec-websocket-key'], 'k');
  });
});

describe('forwardResponseHeaders', () => {
  it('drops hop-by-hop and connection-named headers', () => {
    const out = forwardResponseHeaders({ 'content-type': 'text/plain', connection: 'close, x-internal', 'x-internal': '1', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', 'set-cookie': ['a', 'b'] });
    assert.deepEqual(out, { 'content-type': 'text/plain', 'set-cookie': ['a', 'b'] });
  });
});

describe('isWebSocketUpgrade', () => {
  it('needs GET and Upgrade: websocket', () => {
    assert.ok(isWebSocketUpgrade('GET', ['Upgrade', 'WebSocket']));
    assert.ok(!isWebSocketUpgrade('POST', ['Upgrade', 'websocket']));
    assert.ok(!isWebSocketUpgrade('GET', ['Upgrade', 'h2c']));
  });
});
