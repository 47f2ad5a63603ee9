// Answers the proxy gives itself, each with a body that says what was missing or wrong, so that a
// 404 or 503 at the front door can be understood without reading the proxy's logs.
import type http from 'node:http';
import type http2 from 'node:http2';
import type { HeaderMap } from './headers.js';

export type DownstreamRequest = http.IncomingMessage | http2.Http2ServerRequest;
export type DownstreamResponse = http.ServerResponse | http2.Http2ServerResponse;

export function isHttp2(req: DownstreamRequest): req is http2.Http2ServerRequest {
  return req.httpVersionMajor === 2;
}

/** A local answer; `close` asks HTTP/1 clients to go away (unread body, or a framing error). */
export function answer(res: DownstreamResponse, status: number, text: string, opts: { headers?: HeaderMap; close?: boolean } = {}): void {
  if (res.headersSent) {
    destroyResponse(res);
    return;
  }
  const body = text.endsWith('\n') ? text : text + '\n';
  const headers: HeaderMap = { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), ...opts.headers };
  if (opts.close && !('stream' in res)) headers['connection'] = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

export function destroyResponse(res: DownstreamResponse): void {
  if ('stream' in res) res.stream.close(0x2 /* INTERNAL_ERROR */);
  else res.destroy();
}
