import test from 'ava';
import { parseSinkResult } from '../../bench/sink.js';

test('parseSinkResult turns the rate of responses into a count', (t) => {
  t.deepEqual(parseSinkResult('RESULT bytes=1693450240 seconds=3.00 MBps=538.3 responses_per_s=538.33\n', '', 0),
    { bytes: 1693450240, seconds: 3, responses: 1615, failed: null });
});

test('parseSinkResult reports the client\'s last error line on failure', (t) => {
  t.deepEqual(parseSinkResult('', 'connect: Connection refused\n', 1), { bytes: 0, seconds: 0, responses: 0, failed: 'connect: Connection refused' });
});

test('parseSinkResult reports the exit code when the client printed nothing', (t) => {
  t.is(parseSinkResult('', '', 139).failed, 'exit code 139');
});

test('parseSinkResult rejects a result line from a failed run', (t) => {
  t.not(parseSinkResult('RESULT bytes=1 seconds=1 MBps=1 responses_per_s=1\n', 'connection closed/error\n', 1).failed, null);
});
