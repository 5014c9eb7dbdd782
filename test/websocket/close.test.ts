// Close codes and close payloads (RFC 6455 §5.5.1, §7.4): which codes are valid on the wire, and how received and
// sent payloads are read and written.
import test from 'ava';
import {
  closeCodeOf, CloseArgumentError, encodeClosePayload, isValidCloseCode, parseClosePayload, WebSocketError,
} from '../../src/websocket/close.js';

test('isValidCloseCode accepts the registered codes and the application range only', (t) => {
  const valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
  const invalid = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];
  for (const c of valid) t.true(isValidCloseCode(c), String(c));
  for (const c of invalid) t.false(isValidCloseCode(c), String(c));
});

test('parseClosePayload reads an empty payload as 1005 with no reason', (t) => {
  t.deepEqual(parseClosePayload(new Uint8Array(0)), { code: 1005, reason: '' });
});

test('parseClosePayload reads a code and a UTF-8 reason', (t) => {
  const p = Buffer.concat([Buffer.from([0x0f, 0xa0]), Buffer.from('bye ✓')]);
  t.deepEqual(parseClosePayload(p), { code: 4000, reason: 'bye ✓' });
});

const bad: Array<[string, number[], string, number]> = [
  ['a 1-byte payload', [0x03], 'BAD_CLOSE_PAYLOAD', 1002],
  ['code 1005', [0x03, 0xed], 'BAD_CLOSE_PAYLOAD', 1002],
  ['code 999', [0x03, 0xe7], 'BAD_CLOSE_PAYLOAD', 1002],
  ['code 5000', [0x13, 0x88], 'BAD_CLOSE_PAYLOAD', 1002],
  ['a reason that is not UTF-8', [0x03, 0xe8, 0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80], 'INVALID_UTF8', 1007],
];
for (const [name, bytes, code, closeCode] of bad) {
  test(`parseClosePayload refuses ${name} with ${closeCode}`, (t) => {
    const e = t.throws(() => parseClosePayload(Uint8Array.from(bytes)), { instanceOf: WebSocketError });
    t.is(e?.code as string | undefined, code);
    t.is(e?.closeCode as number | undefined, closeCode);
  });
}

test('encodeClosePayload writes the code big-endian then the reason', (t) => {
  t.deepEqual([...encodeClosePayload(1001, 'ok')], [0x03, 0xe9, 0x6f, 0x6b]);
  t.is(encodeClosePayload(undefined).length, 0);
  t.is(encodeClosePayload(4999, 'é'.repeat(61) + 'a').length, 125);
});

test('encodeClosePayload refuses codes that may not be sent and reasons over 123 bytes', (t) => {
  for (const code of [1005, 1006, 1015, 2000, 999, 1000.5]) {
    const e = t.throws(() => encodeClosePayload(code), { instanceOf: CloseArgumentError });
    t.is(e?.code, 'ERR_WS_CLOSE_ARGUMENT');
  }
  t.throws(() => encodeClosePayload(1000, 'x'.repeat(124)), { instanceOf: CloseArgumentError });
  t.throws(() => encodeClosePayload(undefined, 'a reason without a code'), { instanceOf: CloseArgumentError });
});

test('closeCodeOf maps protocol errors to 1002, bad data to 1007 and size to 1009', (t) => {
  t.is(closeCodeOf('RESERVED_OPCODE'), 1002);
  t.is(closeCodeOf('INVALID_UTF8'), 1007);
  t.is(closeCodeOf('BAD_COMPRESSED_DATA'), 1007);
  t.is(closeCodeOf('MESSAGE_TOO_LARGE'), 1009);
  t.is(closeCodeOf('LENGTH_OVERFLOW'), 1009);
});
