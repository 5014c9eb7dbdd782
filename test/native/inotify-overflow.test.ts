// inotify with a sink too small for the turn: the events read become one overflow mark (wd -1, IN_Q_OVERFLOW) ahead
// of the batch, so JS forgets every watched entry rather than miss a change. Own file: init() runs once per process.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EV_DATA, EV_INOTIFY, IN_CREATE, IN_Q_OVERFLOW } from '../../src/native/index.js';
import { useHub, type HubEvent } from './support/event-hub.js';

// 3 records: 2 for sockets once inotify runs, and the spare one it keeps for the overflow mark.
const hub = useHub({ eventRecords: 3, recvBytes: 8192 });
const native = hub.native;
const dir = mkdtempSync(join(tmpdir(), 'sluice-inotify-overflow-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const pair = (): [number, number] => hub.pair();

const marks: HubEvent[] = [];
hub.onRecord = (event) => {
  if (event.kind === EV_INOTIFY && event.fd === -1) marks.push(event);
};

test.serial('no record left: the events become one overflow mark, first in the batch', async (t) => {
  const wd = native.inotifyAddWatch(dir, IN_CREATE);
  t.true(wd >= 0);
  const pairs = [pair(), pair()];
  for (const [, b] of pairs) native.watch(b);
  const turns = hub.turns.length;
  for (const [a] of pairs) native.send(a, Buffer.from('x'), 0, 1, false);
  writeFileSync(join(dir, 'one'), '');
  writeFileSync(join(dir, 'two'), '');
  for (const [, b] of pairs) t.is((await hub.next(b)).kind, EV_DATA);
  const turn = hub.turns.slice(turns).find((x) => x.kinds.includes(IN_CREATE) || x.kinds[0] === EV_INOTIFY)!;
  t.is(turn.kinds[0], EV_INOTIFY);
  t.true(turn.records <= 3);
  t.true(marks.length >= 1);
  t.deepEqual({ a: marks[0]!.a, b: marks[0]!.b }, { a: IN_Q_OVERFLOW, b: -1 });
  for (const [a, b] of pairs) {
    native.close(a);
    native.close(b);
  }
});

test.serial('no room left for a name in the recv buffer: an overflow mark too', async (t) => {
  const wd = native.inotifyAddWatch(dir, IN_CREATE);
  const [a, b] = pair();
  native.watch(b);
  const before = marks.length;
  const payload = Buffer.alloc(8192, 0x61);
  native.send(a, payload, 0, payload.length, false);
  writeFileSync(join(dir, 'three'), '');
  const data = await hub.next(b);
  t.is(data.data?.length, 8192);
  t.is(marks.length, before + 1);
  t.true(wd >= 0);
  native.close(a);
  native.close(b);
});
