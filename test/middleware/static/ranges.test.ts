// Tests for Range parsing (RFC 9110 §14), Content-Range formatting and multipart/byteranges layout.
import test from 'ava';
import {
  coalesceRanges, composeByteranges, formatContentRange, formatUnsatisfiedRange, makeBoundary, parseRange,
  type RangeOutcome,
} from '../../../src/middleware/static/ranges.js';

const NONE: RangeOutcome = { kind: 'none' };
const UNSATISFIABLE: RangeOutcome = { kind: 'unsatisfiable' };
const ranges = (...pairs: Array<[number, number]>): RangeOutcome =>
  ({ kind: 'ranges', ranges: pairs.map(([start, end]) => ({ start, end })) });

const parses = test.macro({
  exec(t, header: string | undefined, size: number, expected: RangeOutcome) {
    t.deepEqual(parseRange(header, size), expected);
  },
  title: (provided, header, size) => `parseRange ${provided ?? ''} (${JSON.stringify(header)} of ${size} bytes)`,
});

// Single ranges: the three forms, clipping.
test('reads a first-last range', parses, 'bytes=0-9', 100, ranges([0, 9]));
test('reads bytes=0-0 as the first byte', parses, 'bytes=0-0', 100, ranges([0, 0]));
test('reads an open-ended range to the end', parses, 'bytes=90-', 100, ranges([90, 99]));
test('reads a suffix range', parses, 'bytes=-10', 100, ranges([90, 99]));
test('clips last-pos to the file size', parses, 'bytes=50-1000', 100, ranges([50, 99]));
test('clips a suffix longer than the file to the whole file', parses, 'bytes=-1000', 100, ranges([0, 99]));
test('reads the last byte exactly', parses, 'bytes=99-99', 100, ranges([99, 99]));
test('accepts the unit case-insensitively', parses, 'Bytes=1-2', 100, ranges([1, 2]));
test('clips an absurdly large last-pos', parses, 'bytes=1-99999999999999999999999', 100, ranges([1, 99]));
// Unsatisfiable -> 416.
test('reports first-pos at the size as unsatisfiable', parses, 'bytes=100-', 100, UNSATISFIABLE);
test('reports first-pos past the size as unsatisfiable', parses, 'bytes=200-300', 100, UNSATISFIABLE);
test('reports bytes=-0 as unsatisfiable', parses, 'bytes=-0', 100, UNSATISFIABLE);
test('reports a huge first-pos as unsatisfiable', parses, 'bytes=99999999999999999999999-', 100, UNSATISFIABLE);
test('reports every int-range of an empty file as unsatisfiable', parses, 'bytes=0-0', 0, UNSATISFIABLE);
test('reports an open range of an empty file as unsatisfiable', parses, 'bytes=0-', 0, UNSATISFIABLE);
test('reports when no range of a set is satisfiable', parses, 'bytes=100-,-0', 100, UNSATISFIABLE);
// Ignored -> 200.
test('ignores an absent header', parses, undefined, 100, NONE);
test('ignores an unknown unit', parses, 'items=0-1', 100, NONE);
test('ignores bytes=5-2 (last before first)', parses, 'bytes=5-2', 100, NONE);
test('ignores a set if any int-range is inverted', parses, 'bytes=0-1,5-2', 100, NONE);
test('ignores a missing equals sign', parses, 'bytes 0-1', 100, NONE);
test('ignores whitespace around the equals sign', parses, 'bytes =0-1', 100, NONE);
test('ignores an empty range set', parses, 'bytes=', 100, NONE);
test('ignores a set of only empty members', parses, 'bytes= , ,', 100, NONE);
test('ignores a bare dash', parses, 'bytes=-', 100, NONE);
test('ignores non-digits', parses, 'bytes=a-b', 100, NONE);
test('ignores a negative first-pos', parses, 'bytes=--5', 100, NONE);
test('ignores signs and decimals', parses, 'bytes=+1-2', 100, NONE);
test('ignores a fractional position', parses, 'bytes=1.5-2', 100, NONE);
test('ignores an other-range spec', parses, 'bytes=0-1,x', 100, NONE);
test('sends an empty file whole for a satisfiable suffix', parses, 'bytes=-5', 0, NONE);
// Multiple ranges.
test('keeps distant ranges apart, in order', parses, 'bytes=0-9,200-209', 1000, ranges([0, 9], [200, 209]));
test('sorts ranges by start', parses, 'bytes=200-209,0-9', 1000, ranges([0, 9], [200, 209]));
test('merges overlapping ranges', parses, 'bytes=0-50,40-60', 1000, ranges([0, 60]));
test('merges ranges separated by less than a part header', parses, 'bytes=0-9,20-29', 1000, ranges([0, 29]));
test('merges a contained range', parses, 'bytes=0-99,10-20', 1000, ranges([0, 99]));
test('drops unsatisfiable members of a set', parses, 'bytes=0-9,5000-,-0', 1000, ranges([0, 9]));
test('accepts OWS and empty list members', parses, 'bytes= 0-9 ,, 500-509\t', 1000, ranges([0, 9], [500, 509]));
test('mixes suffix and int-ranges', parses, 'bytes=0-9,-10', 1000, ranges([0, 9], [990, 999]));

test('parseRange ignores more than maxRanges specs', (t) => {
  const many = 'bytes=' + Array.from({ length: 17 }, (_, i) => `${i * 200}-${i * 200 + 1}`).join(',');
  t.deepEqual(parseRange(many, 10_000), NONE);
  const sixteen = 'bytes=' + Array.from({ length: 16 }, (_, i) => `${i * 200}-${i * 200 + 1}`).join(',');
  const outcome = parseRange(sixteen, 10_000);
  t.is(outcome.kind === 'ranges' ? outcome.ranges.length : 0, 16);
  t.deepEqual(parseRange('bytes=0-1,500-501', 10_000, { maxRanges: 1 }), NONE);
});

test('parseRange honours a custom coalescing gap', (t) => {
  t.deepEqual(parseRange('bytes=0-9,20-29', 1000, { coalesceGap: 0 }), ranges([0, 9], [20, 29]));
  t.deepEqual(parseRange('bytes=0-9,10-19', 1000, { coalesceGap: 0 }), ranges([0, 19]));
});

test('coalesceRanges does not mutate its input', (t) => {
  const input = [{ start: 10, end: 20 }, { start: 0, end: 12 }];
  t.deepEqual(coalesceRanges(input, 0), [{ start: 0, end: 20 }]);
  t.deepEqual(input, [{ start: 10, end: 20 }, { start: 0, end: 12 }]);
});

test('every satisfiable range stays inside the file', (t) => {
  const headers = ['bytes=0-', 'bytes=-1', 'bytes=-7', 'bytes=3-', 'bytes=2-4', 'bytes=0-1,3-4', 'bytes=6-100', 'bytes=-100'];
  for (let size = 0; size <= 8; size++) {
    for (const header of headers) {
      const outcome = parseRange(header, size);
      if (outcome.kind !== 'ranges') continue;
      for (const { start, end } of outcome.ranges) {
        t.true(start >= 0 && start <= end && end < size, `${header} of ${size}: ${start}-${end}`);
      }
    }
  }
});

test('formatContentRange writes first-last/size', (t) => {
  t.is(formatContentRange({ start: 0, end: 9 }, 100), 'bytes 0-9/100');
});

test('formatUnsatisfiedRange writes */size', (t) => {
  t.is(formatUnsatisfiedRange(100), 'bytes */100');
});

test('makeBoundary returns 24 hex digits that differ between calls', (t) => {
  const a = makeBoundary();
  t.regex(a, /^[0-9a-f]{24}$/);
  t.not(a, makeBoundary());
});

test('composeByteranges lays out parts whose assembled bytes are a valid multipart body', (t) => {
  const file = Buffer.from('abcdefghijklmnopqrstuvwxyz');
  const body = composeByteranges([{ start: 0, end: 2 }, { start: 20, end: 25 }], file.length, 'text/plain', 'BOUND');
  t.is(body.contentType, 'multipart/byteranges; boundary=BOUND');
  const assembled = Buffer.concat(body.parts.map((part) =>
    part.kind === 'bytes' ? part.bytes : file.subarray(part.start, part.end + 1)));
  t.is(assembled.toString('latin1'),
    '--BOUND\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-2/26\r\n\r\nabc' +
    '\r\n--BOUND\r\nContent-Type: text/plain\r\nContent-Range: bytes 20-25/26\r\n\r\nuvwxyz' +
    '\r\n--BOUND--\r\n');
  t.is(body.length, assembled.length);
  t.deepEqual(body.parts.filter((p) => p.kind === 'file'), [
    { kind: 'file', start: 0, end: 2 }, { kind: 'file', start: 20, end: 25 },
  ]);
});

test('composeByteranges generates a boundary when none is given', (t) => {
  const body = composeByteranges([{ start: 0, end: 0 }, { start: 5, end: 5 }], 10, 'text/plain');
  t.regex(body.contentType, /^multipart\/byteranges; boundary=[0-9a-f]{24}$/);
});
