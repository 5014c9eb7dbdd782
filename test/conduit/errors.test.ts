import test from 'ava';
import { ConduitError, FLUSH, isConduitError, isFlush } from '../../src/conduit/index.js';

test('a ConduitError carries its code, name, message and cause', (t) => {
  const cause = new Error('root');
  const e = new ConduitError('LINE_TOO_LONG', 'too long', { cause });
  t.true(e instanceof Error);
  t.is(e.code, 'LINE_TOO_LONG');
  t.is(e.name, 'ConduitError');
  t.is(e.message, 'too long');
  t.is(e.cause, cause);
});

test('isConduitError matches ConduitErrors, optionally by code', (t) => {
  const e = new ConduitError('PREMATURE_END', 'short');
  t.true(isConduitError(e));
  t.true(isConduitError(e, 'PREMATURE_END'));
  t.false(isConduitError(e, 'BAD_CHUNK'));
  t.false(isConduitError(Object.assign(new Error('look-alike'), { code: 'PREMATURE_END' })));
});

test('FLUSH is the one flush marker', (t) => {
  t.true(isFlush(FLUSH));
  t.false(isFlush({ kind: 'flush' }));
  t.false(isFlush(new Uint8Array(0)));
  t.true(Object.isFrozen(FLUSH));
});
