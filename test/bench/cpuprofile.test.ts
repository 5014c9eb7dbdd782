import test from 'ava';
import { buildCpuProfArgs, summarizeCpuProfile, type CpuProfile } from '../../bench/cpuprofile.js';

const frame = (id: number, functionName: string, url = '', lineNumber = 0) => ({ id, callFrame: { functionName, url, lineNumber } });
const PROFILE: CpuProfile = {
  nodes: [frame(1, '(root)'), frame(2, '(idle)'), frame(3, 'parse', 'file:///app/p.js', 4), frame(4, 'parse', 'file:///app/p.js', 4),
    frame(5, '', 'file:///app/a.js', 0), frame(6, '(garbage collector)')],
  samples: [2, 3, 4, 5, 6, 2, 3],
  timeDeltas: [5000, 100, 200, 300, 400, 9000, -7],
};

test('summarizeCpuProfile folds nodes of one function, leaves idle time out and ignores negative deltas', (t) => {
  t.deepEqual(summarizeCpuProfile(PROFILE), [
    { name: '(garbage collector)', weight: 400, fraction: 0.4 },
    { name: '(anonymous) /app/a.js:1', weight: 300, fraction: 0.3 },
    { name: 'parse /app/p.js:5', weight: 300, fraction: 0.3 },
  ]);
});

test('summarizeCpuProfile keeps the requested number of lines', (t) => {
  t.is(summarizeCpuProfile(PROFILE, 1).length, 1);
});

test('summarizeCpuProfile of an idle-only profile is empty', (t) => {
  t.deepEqual(summarizeCpuProfile({ nodes: [frame(1, '(idle)')], samples: [1, 1], timeDeltas: [10, 10] }), []);
});

test('buildCpuProfArgs writes into the directory and exits cleanly on signals', (t) => {
  const args = buildCpuProfArgs('/tmp/p');
  t.deepEqual(args.slice(0, 3), ['--cpu-prof', '--cpu-prof-dir=/tmp/p', '--import']);
  t.regex(args[3]!, /^data:text\/javascript,.*SIGINT.*SIGTERM.*process\.exit\(0\)/);
});
