import test from 'ava';
import { EV_DATA } from '../../src/native/index.js';
import { EventHub, useHub, checkFdLeaks } from './support/event-hub.js';

// A deliberately tiny sink: 2 records and 8 KiB per turn. Whatever does not fit waits for the next turn.
const EVENT_RECORDS = 2;
const RECV_BYTES = 8192;
const hub: EventHub = useHub({ eventRecords: EVENT_RECORDS, recvBytes: RECV_BYTES });
const native = hub.native;
checkFdLeaks(test);

const pair = (): [number, number] => hub.pair();

test.serial('when the events array is full, the other ready fds are served on later turns', async (t) => {
  const pairs = Array.from({ length: 5 }, pair);
  const turnsBefore = hub.turns.length;
  for (const [a, b] of pairs) {
    native.send(a, Buffer.from(`fd${b}`), 0, `fd${b}`.length, false);
    native.watch(b);
  }
  for (const [, b] of pairs) t.is((await hub.next(b)).data?.toString(), `fd${b}`);
  const turns = hub.turns.slice(turnsBefore);
  t.true(turns.every((turn) => turn.records <= EVENT_RECORDS));
  t.true(turns.length >= 3);
  for (const [a, b] of pairs) {
    native.close(a);
    native.close(b);
  }
});

test.serial('when the recv buffer is nearly full, the next fd waits instead of getting a sliver', async (t) => {
  const pairs = Array.from({ length: 3 }, pair);
  const turnsBefore = hub.turns.length;
  const payload = Buffer.alloc(6000, 0x61);
  for (const [a, b] of pairs) {
    native.send(a, payload, 0, payload.length, false);
    native.watch(b);
  }
  for (const [, b] of pairs) {
    const { data } = await hub.read(b, payload.length);
    t.is(data.length, payload.length);
  }
  const turns = hub.turns.slice(turnsBefore);
  t.true(turns.every((turn) => turn.bytes <= RECV_BYTES));
  // 6000 bytes leave 2192 < 4096 free, so no second recv starts in the same turn.
  t.true(turns.every((turn) => turn.kinds.filter((kind) => kind === EV_DATA).length === 1));
  for (const [a, b] of pairs) {
    native.close(a);
    native.close(b);
  }
});

test.serial('a read larger than the recv buffer arrives over several turns', async (t) => {
  const [a, b] = pair();
  const payload = Buffer.alloc(3 * RECV_BYTES + 5, 0x62);
  native.send(a, payload, 0, payload.length, false);
  native.watch(b);
  const { data } = await hub.read(b, payload.length);
  t.true(data.equals(payload));
  native.close(a);
  native.close(b);
});
