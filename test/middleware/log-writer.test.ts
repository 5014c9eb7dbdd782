// Tests for the buffered log writer: batching, size trigger, backpressure via 'drain', dropping, errors, files.
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { LogWriter } from '../../src/middleware/log-writer.js';

/** A Writable that records writes; with `hold`, it acknowledges a write only when release() is called. */
function sink(hold = false): { out: Writable; writes: string[]; release: () => void } {
  const writes: string[] = [];
  let pending: (() => void) | null = null;
  const out = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      writes.push(chunk.toString());
      if (hold) pending = () => cb();
      else cb();
    },
  });
  return { out, writes, release: () => { const p = pending; pending = null; p?.(); } };
}

test('lines are batched into one write on flush', (t) => {
  const { out, writes } = sink();
  const w = new LogWriter({ to: out, flushIntervalMs: 60_000 });
  w.write('a');
  w.write('b');
  w.write('c');
  t.deepEqual(writes, []);
  w.flush();
  t.deepEqual(writes, ['a\nb\nc\n']);
  w.flush();
  t.is(writes.length, 1);
});

test('the interval timer flushes queued lines', async (t) => {
  const { out, writes } = sink();
  const w = new LogWriter({ to: out, flushIntervalMs: 1 });
  w.write('tick');
  await new Promise((r) => setTimeout(r, 30));
  t.deepEqual(writes, ['tick\n']);
});

test('reaching bufferBytes writes at once', (t) => {
  const { out, writes } = sink();
  const w = new LogWriter({ to: out, bufferBytes: 10, flushIntervalMs: 60_000 });
  w.write('12345');
  t.deepEqual(writes, []);
  w.write('67890');
  t.deepEqual(writes, ['12345\n67890\n']);
});

test('a slow destination is waited for through drain, then the backlog goes in one write', async (t) => {
  const { out, writes, release } = sink(true);
  const w = new LogWriter({ to: out, flushIntervalMs: 60_000 });
  w.write('first');
  w.flush();
  w.write('second');
  w.write('third');
  w.flush(); // blocked: nothing more written yet
  t.deepEqual(writes, ['first\n']);
  release();
  await new Promise((r) => setImmediate(r));
  t.deepEqual(writes, ['first\n', 'second\nthird\n']);
  release();
});

test('past maxPendingBytes lines are dropped and counted', (t) => {
  const { out } = sink(true);
  const w = new LogWriter({ to: out, flushIntervalMs: 60_000, maxPendingBytes: 12, bufferBytes: 1e9 });
  w.write('123456');
  w.write('789012'); // 6 + 1 + 6 > 12
  t.is(w.dropped, 1);
});

test('a failing destination stops writing and counts what it loses', async (t) => {
  const out = new Writable({ write(_c, _e, cb) { cb(new Error('disk full')); } });
  const w = new LogWriter({ to: out, flushIntervalMs: 60_000 });
  w.write('a');
  w.flush();
  await new Promise((r) => setImmediate(r));
  t.is(w.failure?.message, 'disk full');
  w.write('b');
  t.is(w.dropped, 1);
});

test('a path is appended to and closed', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-log-')), 'access.log');
  const first = new LogWriter({ to: path });
  first.write('one');
  await first.close();
  const second = new LogWriter({ to: path });
  second.write('two');
  await second.close();
  second.write('after close');
  t.is(second.dropped, 1);
  t.is(readFileSync(path, 'utf8'), 'one\ntwo\n');
});

test('close waits for a blocked stream to drain', async (t) => {
  const { out, writes, release } = sink(true);
  const w = new LogWriter({ to: out });
  w.write('x');
  w.flush();
  w.write('y');
  let closed = false;
  const done = w.close().then(() => (closed = true));
  await new Promise((r) => setImmediate(r));
  t.false(closed);
  release();
  await done;
  t.deepEqual(writes, ['x\n', 'y\n']);
  release();
});
