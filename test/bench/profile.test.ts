import test from 'ava';
import { pickProfileTarget, wrapWith0x, wrapWithCpuProf } from '../../bench/profile.js';
import { findScenario } from '../../bench/scenarios.js';

const hello = findScenario('hello-ka-c64')!;
const nodeLaunch = { kind: 'launch' as const, cmd: process.execPath, args: ['server.js'], env: { PORT: '1' } };

test('pickProfileTarget prefers the group\'s Sluice target when it can start', (t) => {
  t.is(pickProfileTarget(hello, undefined, () => true)?.name, 'sluice-hello');
});

test('pickProfileTarget falls back to the node:http baseline when no Sluice target can start', (t) => {
  t.is(pickProfileTarget(hello, undefined, () => false)?.name, 'node-hello');
  t.is(pickProfileTarget(findScenario('static-ka-c64')!, undefined, () => false)?.name, 'node-static');
});

test('pickProfileTarget takes a named target as is, and nothing for an unknown name', (t) => {
  t.is(pickProfileTarget(hello, 'fastify-hello', () => false)?.name, 'fastify-hello');
  t.is(pickProfileTarget(hello, 'nope', () => true), undefined);
});

test('wrapWith0x runs node under 0x with its stack tree written into the output dir', (t) => {
  const l = wrapWith0x(nodeLaunch, '/tmp/out');
  if (l.kind !== 'launch') return t.fail();
  t.regex(l.cmd, /node_modules\/\.bin\/0x$/);
  t.deepEqual(l.args, ['--output-dir', '/tmp/out', '--tree-debug', '--', process.execPath, 'server.js']);
  t.deepEqual(l.env, { PORT: '1' });
});

test('wrapWith0x and wrapWithCpuProf refuse programs that are not node', (t) => {
  const nginx = { kind: 'launch' as const, cmd: 'nginx', args: [], env: {} };
  t.is(wrapWith0x(nginx, '/tmp/out').kind, 'unavailable');
  t.is(wrapWithCpuProf(nginx, '/tmp/out').kind, 'unavailable');
});

test('wrapWithCpuProf puts the profiler flags before the script', (t) => {
  const l = wrapWithCpuProf(nodeLaunch, '/tmp/cp');
  if (l.kind !== 'launch') return t.fail();
  t.is(l.args[0], '--cpu-prof');
  t.is(l.args[l.args.length - 1], 'server.js');
});
