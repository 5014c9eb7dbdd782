import test from 'ava';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EV_DATA } from '../../src/native/index.js';
import { countOpenFds, useHub } from './support/event-hub.js';

const WORKER = fileURLToPath(new URL('./fixtures/worker-echo.js', import.meta.url));
const hub = useHub(); // the main thread has its own init(): each environment gets its own state
let fdsBefore = 0;

test.before(() => {
  fdsBefore = countOpenFds();
});
/** Waits (up to 10 s) for the process's fd count to come back to n: a worker thread's own loop descriptors go as the
 *  thread exits, which under a loaded CI run can be seconds after terminate() resolves. A leaked fd never goes. */
async function settleFds(n: number): Promise<number> {
  for (let i = 0; i < 1000 && countOpenFds() !== n; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return countOpenFds();
}

test.after.always('no fd leaks', async (t) => {
  t.is(await settleFds(fdsBefore), fdsBefore);
});

test.serial('a worker thread loads the addon, gets its own event sink and ends when its fds are closed', async (t) => {
  const worker = new Worker(WORKER, { workerData: { leaveOpen: false } });
  const [message] = (await once(worker, 'message')) as [{ text: string }];
  t.is(message.text, 'from worker');
  const [code] = (await once(worker, 'exit')) as [number];
  t.is(code, 0);
});

test.serial('terminating a worker closes the fds and handles it left open', async (t) => {
  const before = countOpenFds();
  const worker = new Worker(WORKER, { workerData: { leaveOpen: true } });
  const [message] = (await once(worker, 'message')) as [{ text: string; port: number }];
  t.is(message.text, 'from worker');
  t.true(message.port > 0);
  t.true(countOpenFds() >= before + 3); // the pair and the listener, still open
  await worker.terminate();
  t.is(await settleFds(before), before);
});

test.serial('the main thread sink keeps working beside workers', async (t) => {
  const [a, b] = hub.native.socketpair() as [number, number];
  hub.native.watch(b);
  hub.native.send(a, Buffer.from('main'), 0, 4, false);
  const event = await hub.next(b);
  t.is(event.kind, EV_DATA);
  t.is(event.data?.toString(), 'main');
  hub.native.close(a);
  hub.native.close(b);
});
