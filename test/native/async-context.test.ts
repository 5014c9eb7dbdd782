import test from 'ava';
import { AsyncLocalStorage, executionAsyncId, executionAsyncResource } from 'node:async_hooks';
import { EVENT_RECORD_INT32, loadNative } from '../../src/native/index.js';

// onEvents runs through napi_make_callback with an async context: app code sees a real async resource,
// AsyncLocalStorage works, and microtasks queued by the batch run before the loop moves on.
const native = loadNative();
const storage = new AsyncLocalStorage<{ tag: string }>();
const events = new Int32Array(16 * EVENT_RECORD_INT32);
interface Observation {
  store: { tag: string } | undefined;
  asyncId: number;
  resource: object;
  runStore: string | undefined;
}
const observations: Observation[] = [];
const waiters: Array<(o: Observation) => void> = [];

storage.run({ tag: 'init-time store' }, () => {
  native.init(
    () => {
      const observation: Observation = {
        store: storage.getStore(),
        asyncId: executionAsyncId(),
        resource: executionAsyncResource(),
        runStore: undefined,
      };
      // Per-request stores, the way the engine uses them: the continuation keeps its own.
      storage.run({ tag: 'request store' }, () => {
        void Promise.resolve().then(() => {
          observation.runStore = storage.getStore()?.tag;
          waiters.shift()?.(observation);
        });
      });
      observations.push(observation);
    },
    events,
    new Uint8Array(4096),
  );
});

function nextBatch(): Promise<Observation> {
  return new Promise((resolve) => waiters.push(resolve));
}

async function trigger(): Promise<Observation> {
  const [a, b] = native.socketpair() as [number, number];
  native.watch(b);
  const batch = nextBatch();
  native.send(a, Buffer.from('x'), 0, 1, false);
  const observation = await batch;
  native.close(a);
  native.close(b);
  return observation;
}

test.serial('onEvents runs in an async context that carries the AsyncLocalStorage store of init()', async (t) => {
  const observation = await trigger();
  t.deepEqual(observation.store, { tag: 'init-time store' });
  t.not(observation.asyncId, 0);
  t.is(observation.runStore, 'request store');
});

test.serial('every batch runs under the same async resource', async (t) => {
  const first = await trigger();
  const second = await trigger();
  t.is(first.resource, second.resource);
  t.is(first.asyncId, second.asyncId);
  t.is(observations.length >= 2, true);
});
