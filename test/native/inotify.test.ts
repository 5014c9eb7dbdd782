// inotify in the event batch: watch descriptors, EV_INOTIFY records with their mask and name, and the order that
// makes caches exact: a change made before a request's bytes arrived is delivered ahead of them in the same batch.
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EV_DATA, EV_INOTIFY, IN_CREATE, IN_IGNORED, IN_MODIFY } from '../../src/native/index.js';
import { checkFdLeaks, useHub, type HubEvent } from './support/event-hub.js';

const { EINVAL, ENOENT, ENAMETOOLONG } = constants.errno;
const hub = useHub();
const native = hub.native;
const dir = mkdtempSync(join(tmpdir(), 'sluice-inotify-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
// The instance lives as long as the process: make it before the leak check counts fds.
native.inotifyRmWatch(native.inotifyAddWatch(dir, IN_CREATE));
checkFdLeaks(test);

/** Awaits an event while holding the loop open: the inotify poll is unref'd, like every cache handle. */
async function nextEvent(key: number): Promise<HubEvent> {
  const hold = setInterval(() => {}, 1000);
  try {
    return await hub.next(key);
  } finally {
    clearInterval(hold);
  }
}

let counter = 0;
function freshDir(): string {
  const path = join(dir, `d${counter++}`);
  mkdirSync(path);
  return path;
}

const pair = (): [number, number] => hub.pair();

test.serial('an event arrives as EV_INOTIFY: fd = the watch descriptor, a = the mask, b = where its name is', async (t) => {
  const watched = freshDir();
  const wd = native.inotifyAddWatch(watched, IN_CREATE | IN_MODIFY);
  t.true(wd >= 0, `inotifyAddWatch ${wd}`);
  t.is(native.inotifyAddWatch(watched, IN_CREATE | IN_MODIFY), wd, 'one inode, one watch descriptor');
  writeFileSync(join(watched, 'créé.txt'), '');
  const event: HubEvent = await nextEvent(wd);
  t.is(event.kind, EV_INOTIFY);
  t.true((event.a & IN_CREATE) !== 0);
  t.is(event.data?.toString('utf8'), 'créé.txt');
  t.is(native.inotifyRmWatch(wd), 0);
  const ignored = await nextEvent(wd);
  t.is(ignored.a & IN_IGNORED, IN_IGNORED);
  t.is(ignored.b, -1, 'no name');
  t.is(native.inotifyRmWatch(wd), -EINVAL);
});

test.serial('a change made before a request\'s bytes arrive is delivered first in their batch', async (t) => {
  const watched = freshDir();
  const wd = native.inotifyAddWatch(watched, IN_CREATE);
  const [a, b] = pair();
  t.is(native.watch(b), 0);
  const turns = hub.turns.length;
  // Both before the loop turns: the batch that carries the request must carry the change, ahead of it.
  writeFileSync(join(watched, 'changed'), '');
  native.send(a, Buffer.from('GET / HTTP/1.1\r\n\r\n'), 0, 18, false);
  const data = await hub.next(b);
  t.is(data.kind, EV_DATA);
  const turn = hub.turns.slice(turns).find((x) => x.kinds.includes(EV_DATA))!;
  t.true(turn.kinds.includes(EV_INOTIFY));
  t.true(turn.kinds.lastIndexOf(EV_INOTIFY) < turn.kinds.indexOf(EV_DATA), String(turn.kinds));
  t.is((await nextEvent(wd)).data?.toString(), 'changed');
  native.inotifyRmWatch(wd);
  await nextEvent(wd);
  native.close(a);
  native.close(b);
});

test.serial('an idle process still gets its events on the next turn', async (t) => {
  const watched = freshDir();
  const wd = native.inotifyAddWatch(watched, IN_CREATE);
  writeFileSync(join(watched, 'idle'), '');
  t.is((await nextEvent(wd)).data?.toString(), 'idle');
  native.inotifyRmWatch(wd);
  await nextEvent(wd);
});

test.serial('bad arguments are -errno, never a throw', (t) => {
  t.is(native.inotifyAddWatch(join(dir, 'missing'), IN_CREATE), -ENOENT);
  t.is(native.inotifyAddWatch(42 as unknown as string, IN_CREATE), -EINVAL);
  t.is(native.inotifyAddWatch(dir, 'x' as unknown as number), -EINVAL);
  t.is(native.inotifyAddWatch(`${dir}\0/x`, IN_CREATE), -EINVAL);
  t.is(native.inotifyAddWatch('/' + 'x'.repeat(5000), IN_CREATE), -ENAMETOOLONG);
  t.is(native.inotifyRmWatch('x' as unknown as number), -EINVAL);
});
