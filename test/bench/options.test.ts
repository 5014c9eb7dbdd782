import test from 'ava';
import { FULL, parseBenchOptions, QUICK } from '../../bench/options.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

test('parseBenchOptions defaults to the full run over every target and scenario', (t) => {
  const o = parseBenchOptions([]);
  t.false(o.quick);
  t.is(o.reps, FULL.reps);
  t.is(o.durationS, FULL.durationS);
  t.true(o.only.test('anything') && o.scenario.test('anything'));
  t.true(o.conduit);
});

test('parseBenchOptions --quick switches to one short repetition', (t) => {
  const o = parseBenchOptions(['--quick']);
  t.true(o.quick);
  t.is(o.reps, QUICK.reps);
  t.is(o.durationS, QUICK.durationS);
  t.is(o.warmupS, QUICK.warmupS);
});

test('parseBenchOptions lets explicit values override the mode', (t) => {
  const o = parseBenchOptions(['--quick', '--reps', '2', '--duration', '8', '--only', '^node-', '--scenario', 'c64$', '--no-conduit']);
  t.is(o.reps, 2);
  t.is(o.durationS, 8);
  t.true(o.only.test('node-hello'));
  t.false(o.only.test('sluice-hello'));
  t.true(o.scenario.test('hello-ka-c64'));
  t.false(o.scenario.test('hello-ka-c1000'));
  t.false(o.conduit);
});

const bad = test.macro((t, argv: string[]) => t.is(code(() => parseBenchOptions(argv)), 'BAD_OPTION'));
test('parseBenchOptions rejects a zero repetition count', bad, ['--reps', '0']);
test('parseBenchOptions rejects a fractional repetition count', bad, ['--reps', '1.5']);
test('parseBenchOptions rejects a non-numeric duration', bad, ['--duration', 'long']);
test('parseBenchOptions rejects an invalid regex', bad, ['--only', '(']);
test('parseBenchOptions rejects an unknown flag', bad, ['--fast']);
