// Tests for the supervisor <-> worker protocol: message shapes and the worker's config from its environment.
import test from 'ava';
import { isSupervisorMessage, isWorkerMessage, readWorkerConfig, WORKER_CONFIG_ENV } from '../../src/cli/worker-protocol.js';
import { NO_METRICS } from '../../src/middleware/index.js';

test('isWorkerMessage accepts the two message kinds and rejects anything else', (t) => {
  t.true(isWorkerMessage({ kind: 'listening', port: 8080 }));
  t.true(isWorkerMessage({ kind: 'failed', message: 'x', code: 'EADDRINUSE' }));
  t.true(isWorkerMessage({ kind: 'failed', message: 'x', code: null }));
  for (const junk of [null, 'listening', 3, {}, { kind: 'listening' }, { kind: 'listening', port: '80' },
    { kind: 'failed', message: 1, code: null }, { kind: 'failed', message: 'x' }, { kind: 'other' }]) {
    t.false(isWorkerMessage(junk), JSON.stringify(junk));
  }
});

test('isSupervisorMessage accepts shutdown only', (t) => {
  t.true(isSupervisorMessage({ kind: 'shutdown' }));
  t.false(isSupervisorMessage({ kind: 'reload' }));
  t.false(isSupervisorMessage(null));
  t.false(isSupervisorMessage('shutdown'));
});

test('the metrics messages are checked to the last field: ids, and snapshots of this version\'s shape', (t) => {
  const snapshot = { ...NO_METRICS, count: 3 };
  t.true(isWorkerMessage({ kind: 'metrics-query', id: 1 }));
  t.true(isWorkerMessage({ kind: 'metrics', id: 2, snapshot }));
  t.true(isWorkerMessage({ kind: 'metrics-final', snapshot }));
  t.true(isSupervisorMessage({ kind: 'metrics-collect', id: 3 }));
  t.true(isSupervisorMessage({ kind: 'metrics-result', id: 4, snapshot }));
  t.true(isSupervisorMessage({ kind: 'metrics-result', id: 4, snapshot: null }));
  for (const junk of [{ kind: 'metrics-query', id: 1.5 }, { kind: 'metrics-query' }, { kind: 'metrics', id: 2 },
    { kind: 'metrics', id: 2, snapshot: { ...snapshot, byClass: [1, 2] } }, { kind: 'metrics', id: 2, snapshot: { ...snapshot, bytes: -1 } },
    { kind: 'metrics', id: 2, snapshot: { ...snapshot, buckets: snapshot.buckets.map(String) } }, { kind: 'metrics-final', snapshot: null }]) {
    t.false(isWorkerMessage(junk), JSON.stringify(junk));
  }
  t.false(isSupervisorMessage({ kind: 'metrics-collect', id: 'x' }));
  t.false(isSupervisorMessage({ kind: 'metrics-result', id: 1, snapshot: {} }));
});

test('readWorkerConfig parses the environment and refuses a missing, non-JSON or malformed one', (t) => {
  const config = { dir: null, port: 1, host: '', workers: 2, gzip: false, accessLog: null, jsonLog: false, quiet: true, listenFds: [4, 5] };
  t.deepEqual(readWorkerConfig({ [WORKER_CONFIG_ENV]: JSON.stringify(config) }), config);
  t.deepEqual(readWorkerConfig({ [WORKER_CONFIG_ENV]: JSON.stringify({ ...config, listenFds: null }) }).listenFds, null);
  t.throws(() => readWorkerConfig({}), { instanceOf: TypeError, message: /is not set/ });
  t.throws(() => readWorkerConfig({ [WORKER_CONFIG_ENV]: '{' }), { instanceOf: TypeError, message: /not JSON/ });
  t.throws(() => readWorkerConfig({ [WORKER_CONFIG_ENV]: JSON.stringify({ ...config, port: '1' }) }), { message: /malformed/ });
  t.throws(() => readWorkerConfig({ [WORKER_CONFIG_ENV]: JSON.stringify({ ...config, listenFds: 'x' }) }), { message: /malformed/ });
  t.throws(() => readWorkerConfig({ [WORKER_CONFIG_ENV]: JSON.stringify({ ...config, listenFds: [4, 'x'] }) }), { message: /malformed/ });
});
