// A short run of the WebSocket fuzz targets (fuzz-receiver.ts has the long run behind a command line).
import test from 'ava';
import { fuzzHeaderParser, fuzzReceiver } from './fuzz-receiver.js';

test('the frame parser keeps its invariants on 3,000 random headers', (t) => {
  t.notThrows(() => fuzzHeaderParser(1, 3000));
});

test('the receiver keeps its invariants on 400 random conversations, mutated and split', (t) => {
  t.notThrows(() => fuzzReceiver(2, 400));
});
