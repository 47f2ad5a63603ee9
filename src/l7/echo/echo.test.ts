import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalHeaderKey, echoBody, echoSetHeaders, goHeaders, parseGoDuration } from './echo.js';

const ctx = { namespace: 'gateway-conformance-infra', ingress: '', service: '', pod: 'infra-backend-v1-abc' };

describe('echo-basic JSON', () => {
  it('has upstream fields, order and MarshalIndent formatting', () => {
    const body = echoBody({ requestUri: '/a?b=1', host: 'example.com', method: 'GET', proto: 'HTTP/1.1', rawHeaders: ['Host', 'example.com', 'user-agent', 'curl', 'X-Forwarded-For', '1.2.3.4', 'accept', '*/*'] }, ctx);
    assert.equal(
      body,
      [
        '{',
        ' "path": "/a?b=1",',
        ' "host": "example.com",',
        ' "method": "GET",',
        ' "proto": "HTTP/1.1",',
        ' "headers": {',
        '  "Accept": [',
        '   "*/*"',
        '  ],',
        '  "User-Agent": [',
        '   "curl"',
        '  ],',
        '  "X-Forwarded-For": [',
        '   "1.2.3.4"',
        '  ]',
        ' },',
        ' "namespace": "gateway-conformance-infra",',
        ' "ingress": "",',
        ' "service": "",',
        ' "pod": "infra-backend-v1-abc",',
        ' "sni": ""',
        '}',
      ].join('\n'),
    );
  });
  it('escapes like Go and includes tls only when present', () => {
    const body = echoBody({ requestUri: '/<x>&', host: 'h', method: 'GET', proto: 'HTTP/2.0', rawHeaders: [], tls: { version: 'TLSv1.3', serverName: 'h', negotiatedProtocol: 'h2', cipherSuite: 'TLS_AES_128_GCM_SHA256' } }, ctx);
    assert.match(body, /"path": "\/\\u003cx\\u003e\\u0026"/);
    assert.match(body, /"headers": \{\}/);
    const parsed = JSON.parse(body) as { tls: { version: string; negotiatedProtocol: string } };
    assert.equal(parsed.tls.version, 'TLSv1.3');
    assert.equal(parsed.tls.negotiatedProtocol, 'h2');
  });
});

describe('helpers', () => {
  it('canonical header keys as Go', () => {
    assert.equal(canonicalHeaderKey('x-forwarded-for'), 'X-Forwarded-For');
    assert.equal(canonicalHeaderKey('TRACEPARENT'), 'Traceparent');
    assert.equal(canonicalHeaderKey('bad header'), 'bad header');
    assert.deepEqual(goHeaders(['a', '1', 'A', '2', ':path', '/']), { A: ['1', '2'] });
  });
  it('X-Echo-Set-Header', () => {
    assert.deepEqual(echoSetHeaders(['X-Echo-Set-Header', 'X-Foo: bar, X-Baz: 1', 'x-echo-set-header', 'X-Foo: again']), [['X-Foo', 'bar,again'], ['X-Baz', '1']]);
    assert.deepEqual(echoSetHeaders(['X-Echo-Set-Header', '', 'X-Echo-Set-Header', 'bad name: x, X-Ok: 1']), [['X-Ok', '1']], 'empty and invalid names are skipped, as Go writes headers');
  });
  it('Go durations', () => {
    assert.equal(parseGoDuration('1s'), 1000);
    assert.equal(parseGoDuration('1m30s'), 90_000);
    assert.equal(parseGoDuration('500ms'), 500);
    assert.equal(parseGoDuration('1.5h'), 5_400_000);
    assert.equal(parseGoDuration('10'), undefined);
    assert.equal(parseGoDuration('x'), undefined);
  });
});
