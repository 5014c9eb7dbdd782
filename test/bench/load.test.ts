import test from 'ava';
import { failedLoad, normalizeUpload, normalizeWrk } from '../../bench/load.js';
import { chooseCores, orderForRep } from '../../bench/run.js';
import { describeLoad, parseOsRelease } from '../../bench/machine.js';

const WRK = { requests: 1000, durationUs: 2_000_000, bytes: 5000, p50Us: 100, p99Us: 900, maxUs: 5000,
  errors: { connect: 1, read: 2, write: 3, status: 4, timeout: 5 } };

test('normalizeWrk counts read errors as drops and keeps non-2xx apart', (t) => {
  const r = normalizeWrk(WRK, 1);
  t.is(r.errors, 9);
  t.is(r.dropped, 2);
  t.is(r.non2xx, 4);
  t.is(r.durationS, 2);
  t.is(r.p99Us, 900);
  t.is(r.failed, null);
});

test('normalizeWrk drops latencies of pipelined runs', (t) => {
  const r = normalizeWrk(WRK, 16);
  t.is(r.p50Us, null);
  t.is(r.p99Us, null);
});

test('normalizeUpload counts corrupted echoes as errors and socket errors as drops', (t) => {
  const r = normalizeUpload('RESULT requests=4 bytes=268435456 duration_us=2000000 p50_us=400000 p99_us=600000 errors=1 mismatches=2 non2xx=0\n');
  t.is(r.requests, 4);
  t.is(r.errors, 2);
  t.is(r.dropped, 1);
  t.deepEqual(r.detail, { errors: 1, mismatches: 2 });
});

test('normalizeUpload fails when the client printed no result', (t) => {
  t.regex(normalizeUpload('Error: connect ECONNREFUSED\n').failed ?? '', /ECONNREFUSED/);
});

test('failedLoad carries only the reason', (t) => {
  t.like(failedLoad('why'), { requests: 0, failed: 'why' });
});

test('chooseCores pins server and clients apart only with two or more cores', (t) => {
  t.deepEqual(chooseCores(2), { server: 1, client: 0 });
  t.deepEqual(chooseCores(8), { server: 1, client: 0 });
  t.deepEqual(chooseCores(1), { server: null, client: null });
});

test('orderForRep alternates the target order between repetitions', (t) => {
  t.deepEqual(orderForRep(['a', 'b', 'c'], 1), ['a', 'b', 'c']);
  t.deepEqual(orderForRep(['a', 'b', 'c'], 2), ['c', 'b', 'a']);
  t.deepEqual(orderForRep(['a', 'b', 'c'], 3), ['a', 'b', 'c']);
});

test('parseOsRelease reads PRETTY_NAME with or without quotes', (t) => {
  t.is(parseOsRelease('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
  t.is(parseOsRelease('PRETTY_NAME=Arch\n'), 'Arch');
  t.is(parseOsRelease('NAME=x\n'), 'unknown');
});

test('describeLoad stays quiet up to half the cores busy', (t) => {
  t.is(describeLoad(1, 2), null);
  t.is(describeLoad(0, 1), null);
  t.regex(describeLoad(1.5, 2) ?? '', /load average 1\.5 on 2 core\(s\)/);
});
