import test from 'ava';
import { extractMergedTree, renderSelfTime, summarizeSelfTime, type StackNode } from '../../bench/self-time.js';

const TREE: StackNode = { name: 'all stacks', value: 10, top: 0, children: [
  { name: 'main a.js:1', value: 6, top: 1, children: [
    { name: 'parse p.js:5', value: 3, top: 3 },
    { name: 'send s.js:9', value: 2, top: 2 },
  ] },
  { name: 'tick t.js:2', value: 4, top: 0, children: [{ name: 'parse p.js:5', value: 4, top: 4 }] },
] };

test('summarizeSelfTime folds a function reached from several stacks', (t) => {
  t.deepEqual(summarizeSelfTime(TREE), [
    { name: 'parse p.js:5', weight: 7, fraction: 0.7 },
    { name: 'send s.js:9', weight: 2, fraction: 0.2 },
    { name: 'main a.js:1', weight: 1, fraction: 0.1 },
  ]);
});

test('summarizeSelfTime keeps only the requested number of lines', (t) => {
  t.deepEqual(summarizeSelfTime(TREE, 1).map((r) => r.name), ['parse p.js:5']);
});

test('summarizeSelfTime of a tree without samples is empty', (t) => {
  t.deepEqual(summarizeSelfTime({ name: 'all stacks', value: 0, top: 0 }), []);
});

test('extractMergedTree finds the merged tree and rejects other documents', (t) => {
  t.is(extractMergedTree({ merged: TREE, unmerged: {} }), TREE);
  for (const bad of [null, {}, { merged: 5 }]) t.is((t.throws(() => extractMergedTree(bad)) as Error & { code?: string }).code, 'BAD_STACKS');
});

test('renderSelfTime numbers the lines with share and samples', (t) => {
  t.is(renderSelfTime(summarizeSelfTime(TREE, 2)), ' 1.  70.0%         7  parse p.js:5\n 2.  20.0%         2  send s.js:9');
  t.is(renderSelfTime([{ name: 'f', weight: 12_345, fraction: 1 }], 'us'), ' 1. 100.0%    12.3ms  f');
});
