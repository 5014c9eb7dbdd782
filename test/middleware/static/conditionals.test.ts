// Tests for conditional request evaluation and its RFC 9110 §13.2.2 precedence.
import test from 'ava';
import { evaluateConditionals, type ConditionalOutcome, type ConditionalRequest } from '../../../src/middleware/static/conditionals.js';

const MTIME = Date.UTC(2024, 4, 1, 12, 0, 0) + 250; // sub-second part must not matter
const LAST_MODIFIED = 'Wed, 01 May 2024 12:00:00 GMT';
const EARLIER = 'Wed, 01 May 2024 11:59:59 GMT';
const LATER = 'Wed, 01 May 2024 12:00:01 GMT';
const WEAK = { etag: 'W/"a-1"', mtimeMs: MTIME };
const STRONG = { etag: '"a-1"', mtimeMs: MTIME };

const OK_RANGE: ConditionalOutcome = { kind: 'proceed', honourRange: true };
const OK_FULL: ConditionalOutcome = { kind: 'proceed', honourRange: false };
const NOT_MODIFIED: ConditionalOutcome = { kind: 'not-modified' };
const FAILED: ConditionalOutcome = { kind: 'precondition-failed' };

type Case = [title: string, req: Omit<ConditionalRequest, 'method'> & { method?: string }, info: typeof WEAK, expected: ConditionalOutcome];

const cases: Case[] = [
  ['no conditionals serves the full body', {}, WEAK, OK_FULL],
  // If-Match (§13.1.1): strong comparison.
  ['If-Match with the strong ETag proceeds', { ifMatch: '"a-1"' }, STRONG, OK_FULL],
  ['If-Match in a list proceeds', { ifMatch: '"x", "a-1"' }, STRONG, OK_FULL],
  ['If-Match with another ETag fails', { ifMatch: '"x"' }, STRONG, FAILED],
  ['If-Match never matches a weak current ETag', { ifMatch: 'W/"a-1"' }, WEAK, FAILED],
  ['If-Match with the weak form of a strong ETag fails', { ifMatch: 'W/"a-1"' }, STRONG, FAILED],
  ['If-Match * proceeds for an existing file', { ifMatch: '*' }, WEAK, OK_FULL],
  ['malformed If-Match fails', { ifMatch: 'a-1' }, STRONG, FAILED],
  ['If-Match * proceeds even if the current ETag is malformed', { ifMatch: '*' }, { etag: 'bogus', mtimeMs: MTIME }, OK_FULL],
  ['If-Match with a tag fails if the current ETag is malformed', { ifMatch: '"bogus"' }, { etag: 'bogus', mtimeMs: MTIME }, FAILED],
  // If-Unmodified-Since (§13.1.4).
  ['If-Unmodified-Since at Last-Modified proceeds', { ifUnmodifiedSince: LAST_MODIFIED }, WEAK, OK_FULL],
  ['If-Unmodified-Since after Last-Modified proceeds', { ifUnmodifiedSince: LATER }, WEAK, OK_FULL],
  ['If-Unmodified-Since before Last-Modified fails', { ifUnmodifiedSince: EARLIER }, WEAK, FAILED],
  ['an invalid If-Unmodified-Since is ignored', { ifUnmodifiedSince: 'yesterday' }, WEAK, OK_FULL],
  ['If-Match wins over a failing If-Unmodified-Since', { ifMatch: '"a-1"', ifUnmodifiedSince: EARLIER }, STRONG, OK_FULL],
  // If-None-Match (§13.1.2): weak comparison.
  ['If-None-Match with the exact ETag is 304', { ifNoneMatch: 'W/"a-1"' }, WEAK, NOT_MODIFIED],
  ['If-None-Match compares weakly (strong form vs weak ETag)', { ifNoneMatch: '"a-1"' }, WEAK, NOT_MODIFIED],
  ['If-None-Match compares weakly (weak form vs strong ETag)', { ifNoneMatch: 'W/"a-1"' }, STRONG, NOT_MODIFIED],
  ['If-None-Match finds the ETag in a list', { ifNoneMatch: '"x", W/"a-1"' }, WEAK, NOT_MODIFIED],
  ['If-None-Match * is 304', { ifNoneMatch: '*' }, WEAK, NOT_MODIFIED],
  ['If-None-Match with another ETag serves the body', { ifNoneMatch: '"x"' }, WEAK, OK_FULL],
  ['If-None-Match that matches is 412 for POST', { method: 'POST', ifNoneMatch: '*' }, WEAK, FAILED],
  ['If-None-Match that matches is 304 for HEAD', { method: 'HEAD', ifNoneMatch: 'W/"a-1"' }, WEAK, NOT_MODIFIED],
  ['a malformed If-None-Match serves the body', { ifNoneMatch: 'a-1' }, WEAK, OK_FULL],
  ['a malformed current ETag never matches an If-None-Match tag', { ifNoneMatch: '"bogus"' }, { etag: 'bogus', mtimeMs: MTIME }, OK_FULL],
  ['If-None-Match * is 304 even if the current ETag is malformed', { ifNoneMatch: '*' }, { etag: 'bogus', mtimeMs: MTIME }, NOT_MODIFIED],
  // If-Modified-Since (§13.1.3).
  ['If-Modified-Since at Last-Modified is 304', { ifModifiedSince: LAST_MODIFIED }, WEAK, NOT_MODIFIED],
  ['If-Modified-Since after Last-Modified is 304', { ifModifiedSince: LATER }, WEAK, NOT_MODIFIED],
  ['If-Modified-Since before Last-Modified serves the body', { ifModifiedSince: EARLIER }, WEAK, OK_FULL],
  ['an invalid If-Modified-Since is ignored', { ifModifiedSince: 'not a date' }, WEAK, OK_FULL],
  ['If-Modified-Since is ignored for POST', { method: 'POST', ifModifiedSince: LATER }, WEAK, OK_FULL],
  ['If-Modified-Since is 304 for HEAD', { method: 'HEAD', ifModifiedSince: LATER }, WEAK, NOT_MODIFIED],
  ['If-None-Match that does not match overrides a 304-worthy If-Modified-Since', { ifNoneMatch: '"x"', ifModifiedSince: LATER }, WEAK, OK_FULL],
  ['If-None-Match that matches gives 304 whatever If-Modified-Since says', { ifNoneMatch: '*', ifModifiedSince: EARLIER }, WEAK, NOT_MODIFIED],
  // Precedence: 412 before 304.
  ['If-Match failure beats an If-None-Match 304', { ifMatch: '"x"', ifNoneMatch: '*' }, STRONG, FAILED],
  ['If-Unmodified-Since failure beats an If-Modified-Since 304', { ifUnmodifiedSince: EARLIER, ifModifiedSince: LATER }, WEAK, FAILED],
  ['passing If-Match then matching If-None-Match is 304', { ifMatch: '"a-1"', ifNoneMatch: '"a-1"' }, STRONG, NOT_MODIFIED],
  // Range and If-Range (§13.1.5, §14.2).
  ['a Range without If-Range is honoured', { range: 'bytes=0-1' }, WEAK, OK_RANGE],
  ['a Range on HEAD is ignored', { method: 'HEAD', range: 'bytes=0-1' }, WEAK, OK_FULL],
  ['a Range on POST is ignored', { method: 'POST', range: 'bytes=0-1' }, WEAK, OK_FULL],
  ['If-Range without Range is ignored', { ifRange: '"a-1"' }, STRONG, OK_FULL],
  ['If-Range with the strong ETag honours the Range', { range: 'bytes=0-1', ifRange: '"a-1"' }, STRONG, OK_RANGE],
  ['If-Range with another ETag sends the whole file', { range: 'bytes=0-1', ifRange: '"x"' }, STRONG, OK_FULL],
  ['If-Range with a weak ETag never honours the Range', { range: 'bytes=0-1', ifRange: 'W/"a-1"' }, WEAK, OK_FULL],
  ['If-Range against a weak current ETag never honours the Range', { range: 'bytes=0-1', ifRange: '"a-1"' }, WEAK, OK_FULL],
  ['If-Range with a malformed ETag sends the whole file', { range: 'bytes=0-1', ifRange: '"a-1' }, STRONG, OK_FULL],
  ['If-Range with exactly Last-Modified honours the Range', { range: 'bytes=0-1', ifRange: LAST_MODIFIED }, WEAK, OK_RANGE],
  ['If-Range with a later date sends the whole file', { range: 'bytes=0-1', ifRange: LATER }, WEAK, OK_FULL],
  ['If-Range with an earlier date sends the whole file', { range: 'bytes=0-1', ifRange: EARLIER }, WEAK, OK_FULL],
  ['If-Range with garbage sends the whole file', { range: 'bytes=0-1', ifRange: 'garbage' }, WEAK, OK_FULL],
  ['a 304 wins over a Range', { range: 'bytes=0-1', ifNoneMatch: '*' }, WEAK, NOT_MODIFIED],
  ['a 412 wins over a Range', { range: 'bytes=0-1', ifMatch: '"x"' }, STRONG, FAILED],
];

for (const [title, req, info, expected] of cases) {
  test(`evaluateConditionals: ${title}`, (t) => {
    t.deepEqual(evaluateConditionals({ method: 'GET', ...req }, info), expected);
  });
}

test('evaluateConditionals treats the method case-sensitively (RFC 9110 §9.1)', (t) => {
  t.deepEqual(evaluateConditionals({ method: 'get', ifModifiedSince: LATER }, WEAK), OK_FULL);
  t.deepEqual(evaluateConditionals({ method: 'get', ifNoneMatch: '*' }, WEAK), FAILED);
});
