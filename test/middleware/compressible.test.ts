// Tests for which Content-Types gzip() compresses.
import test from 'ava';
import { isCompressible } from '../../src/middleware/compressible.js';

const cases: Array<[string | undefined | null, boolean]> = [
  ['text/html; charset=utf-8', true],
  ['text/plain', true],
  ['text/event-stream', true],
  ['TEXT/CSS', true],
  ['text/x-gzip', false],
  ['application/json', true],
  ['application/json; charset=utf-8', true],
  ['application/problem+json', true],
  ['application/ld+json', true],
  ['image/svg+xml', true],
  ['application/atom+xml', true],
  ['application/javascript', true],
  ['application/wasm', true],
  ['application/x-ndjson', true],
  ['application/vnd.foo+text', true],
  ['  application/xml ;charset=utf-8', true],
  ['image/png', false],
  ['image/jpeg', false],
  ['image/webp', false],
  ['video/mp4', false],
  ['audio/mpeg', false],
  ['application/zip', false],
  ['application/gzip', false],
  ['application/octet-stream', false],
  ['font/woff2', false],
  ['application/pdf', false],
  ['image/x-icon', true],
  ['', false],
  [undefined, false],
  [null, false],
];

for (const [type, expected] of cases) {
  test(`isCompressible(${JSON.stringify(type)}) is ${expected}`, (t) => {
    t.is(isCompressible(type), expected);
  });
}
