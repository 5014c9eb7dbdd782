// A custom reason phrase ([REASON_PHRASE] in the headers): written on the status line, validated, and never mixed up
// with the cached standard head.
import test from 'ava';
import { REASON_PHRASE, ResponseError, type ResponseHeaders } from '../../src/server/index.js';
import { renderResponseHead, type EngineHeaders } from '../../src/server/response-head.js';

const engine: EngineHeaders = { date: null, server: null, contentLength: 2, chunked: false, close: false };
const statusLine = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1').split('\r\n')[0]!;

test('a custom reason phrase replaces the standard one, and the next head is standard again', (t) => {
  const plain: ResponseHeaders = { 'content-type': 'text/plain' };
  // Twice first, so the standard head is in the cache when the custom one comes.
  t.is(statusLine(renderResponseHead(200, plain, engine)), 'HTTP/1.1 200 OK');
  t.is(statusLine(renderResponseHead(200, plain, engine)), 'HTTP/1.1 200 OK');
  const custom: ResponseHeaders = { 'content-type': 'text/plain', [REASON_PHRASE]: 'All Good' };
  t.is(statusLine(renderResponseHead(200, custom, engine)), 'HTTP/1.1 200 All Good');
  t.is(statusLine(renderResponseHead(200, { ...custom }, engine)), 'HTTP/1.1 200 All Good', 'a spread copy keeps it');
  t.is(statusLine(renderResponseHead(200, plain, engine)), 'HTTP/1.1 200 OK');
  t.notRegex(Buffer.from(renderResponseHead(200, custom, engine)).toString('latin1'), /All Good[\s\S]*All Good/);
});

test('a reason phrase with CR, LF or another control character is refused before anything is written', (t) => {
  for (const reason of ['OK\r\nX-Injected: 1', 'tab\tis fine but NUL\0 is not', 'snow ☃']) {
    t.throws(() => renderResponseHead(200, { [REASON_PHRASE]: reason }, engine), { instanceOf: ResponseError, message: /reason phrase/ });
  }
  t.is(statusLine(renderResponseHead(599, { [REASON_PHRASE]: 'Tab\tand obs-text \xe9' }, engine)), 'HTTP/1.1 599 Tab\tand obs-text \xe9');
});
