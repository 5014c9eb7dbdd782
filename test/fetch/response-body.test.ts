// chunkBytes: what a response stream may enqueue, as bytes.
import test from 'ava';
import { chunkBytes } from '../../src/fetch/response-body.js';

test('chunkBytes takes strings as UTF-8 and any buffer or view as its bytes', (t) => {
  t.deepEqual([...chunkBytes('é')], [0xc3, 0xa9]);
  t.deepEqual([...chunkBytes(new Uint8Array([1, 2]))], [1, 2]);
  t.deepEqual([...chunkBytes(new Uint16Array([0x0201]))], [1, 2]);
  t.deepEqual([...chunkBytes(new DataView(new Uint8Array([7, 8, 9]).buffer, 1, 2))], [8, 9]);
  t.deepEqual([...chunkBytes(new Uint8Array([5]).buffer)], [5]);
  t.throws(() => chunkBytes(null), { instanceOf: TypeError, message: /got null/ });
  t.throws(() => chunkBytes({}), { instanceOf: TypeError, message: /got object/ });
});
