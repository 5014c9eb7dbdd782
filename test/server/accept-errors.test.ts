// accept4 failures reported once per interval with a count, never once per failure.
import test from 'ava';
import { AcceptError, AcceptErrorLog } from '../../src/server/accept-errors.js';
import { sysError } from '../../src/native/index.js';

function collect(intervalMs: number): { log: AcceptErrorLog; reports: AcceptError[] } {
  const reports: AcceptError[] = [];
  return { log: new AcceptErrorLog((e) => reports.push(e), intervalMs), reports };
}

test('the first failure is reported at once; the rest of the burst are counted into one report', async (t) => {
  const { log, reports } = collect(50);
  for (let i = 0; i < 31; i++) log.record(sysError(-24, 'accept4'));
  t.is(reports.length, 1);
  t.like(reports[0], { code: 'EMFILE', count: 1, syscall: 'accept4' });
  t.regex(reports[0]!.message, /^accept4 failed: this process has no file descriptor left/);
  // No stack: the trace would only show the reactor's dispatch loop.
  t.is(reports[0]!.stack, `AcceptError: ${reports[0]!.message}`);
  while (reports.length < 2) await new Promise((r) => setTimeout(r, 20));
  t.like(reports[1], { code: 'EMFILE', count: 30 });
  t.regex(reports[1]!.message, /^accept4 failed 30 more time\(s\) in the last 0 s: /);
  log.close();
});

test('a quiet interval ends the burst: the next failure is reported at once again', async (t) => {
  const { log, reports } = collect(20);
  log.record(sysError(-23, 'accept4'));
  t.is(reports.length, 1);
  t.regex(reports[0]!.message, /the system has no file descriptor left \(ENFILE\)/);
  t.true(log.bursting);
  // A timer period with nothing pending ends the burst.
  while (log.bursting) await new Promise((r) => setTimeout(r, 10));
  log.record(sysError(-105, 'accept4'));
  t.is(reports.length, 2);
  t.like(reports[1], { code: 'ENOBUFS', count: 1 });
  log.close();
});

test('close reports what is pending and stops; an error without a code is UNKNOWN', (t) => {
  const { log, reports } = collect(60_000);
  log.record(new Error('odd'));
  log.record(new Error('odd'));
  log.close();
  t.deepEqual(reports.map((r) => [r.code, r.count]), [['UNKNOWN', 1], ['UNKNOWN', 1]]);
  log.close();
  t.is(reports.length, 2);
});
