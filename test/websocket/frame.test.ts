// The frame header parser and writer: every rule of RFC 6455 §5.2 and §5.5, each length encoding, and the same
// answer at every split of the input.
import test from 'ava';
import {
  FrameHeader, frameHeaderLength, OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT, parseFrameHeader,
  writeFrameHeader, type FrameParse, type FrameRules,
} from '../../src/websocket/frame.js';

const SERVER: FrameRules = { masked: true, compression: false };
const DEFLATE: FrameRules = { masked: true, compression: true };

function parse(bytes: number[] | Uint8Array, rules = SERVER): { r: FrameParse; h: FrameHeader } {
  const buf = Uint8Array.from(bytes);
  const h = new FrameHeader();
  return { r: parseFrameHeader(buf, 0, buf.length, h, rules), h };
}

const MASK = [0x11, 0x22, 0x33, 0x44];

const errors: Array<[string, number[], FrameParse, FrameRules?]> = [
  ['RSV2 set', [0x81 | 0x20, 0x80, ...MASK], 'RESERVED_BITS'],
  ['RSV3 set', [0x81 | 0x10, 0x80, ...MASK], 'RESERVED_BITS'],
  ['RSV1 without permessage-deflate', [0xc1, 0x80, ...MASK], 'RESERVED_BITS'],
  ['RSV1 on a continuation frame', [0xc0, 0x80, ...MASK], 'RESERVED_BITS', DEFLATE],
  ['RSV1 on a ping', [0xc9, 0x80, ...MASK], 'RESERVED_BITS', DEFLATE],
  ['opcode 3', [0x83, 0x80, ...MASK], 'RESERVED_OPCODE'],
  ['opcode 7', [0x87, 0x80, ...MASK], 'RESERVED_OPCODE'],
  ['opcode 11', [0x8b, 0x80, ...MASK], 'RESERVED_OPCODE'],
  ['opcode 15', [0x8f, 0x80, ...MASK], 'RESERVED_OPCODE'],
  ['a fragmented ping', [0x09, 0x80, ...MASK], 'CONTROL_FRAGMENTED'],
  ['a fragmented close', [0x08, 0x80, ...MASK], 'CONTROL_FRAGMENTED'],
  ['a ping of 126 bytes', [0x89, 0x80 | 126, 0, 126, ...MASK], 'CONTROL_TOO_LONG'],
  ['a pong with a 64-bit length', [0x8a, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 5, ...MASK], 'CONTROL_TOO_LONG'],
  ['an unmasked client frame', [0x81, 0x05], 'UNMASKED_FRAME'],
  ['a masked server frame', [0x81, 0x85, ...MASK], 'MASKED_FRAME', { masked: false, compression: false }],
  ['a 64-bit length with the top bit set', [0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, ...MASK], 'BAD_LENGTH'],
  ['a length past 2^53', [0x82, 0xff, 0x00, 0x20, 0, 0, 0, 0, 0, 0, ...MASK], 'LENGTH_OVERFLOW'],
];

for (const [name, bytes, expected, rules] of errors) {
  test(`parseFrameHeader refuses ${name}`, (t) => {
    t.is(parse(bytes, rules).r, expected);
  });

  test(`parseFrameHeader refuses ${name} as soon as the offending byte is in`, (t) => {
    // Every prefix answers need-more or the same error: never a header, never another error.
    const buf = Uint8Array.from(bytes);
    let firstError = -1;
    for (let n = 0; n <= buf.length; n++) {
      const r = parseFrameHeader(buf, 0, n, new FrameHeader(), rules ?? SERVER);
      if (r === 'need-more') continue;
      t.is(r as FrameParse, expected, `prefix of ${n}`);
      if (firstError < 0) firstError = n;
    }
    // The 64-bit length's high word decides an overflow: the only rule that needs more than 3 bytes.
    t.true(firstError >= 1 && firstError <= (expected === 'LENGTH_OVERFLOW' ? 6 : 3), `first error at ${firstError}`);
  });
}

const headers: Array<[string, number[], Partial<FrameHeader>, FrameRules?]> = [
  ['an empty masked text frame', [0x81, 0x80, ...MASK], { fin: true, opcode: OP_TEXT, payloadLength: 0, headerLength: 6, mask: 0x11223344 }],
  ['a 125-byte binary frame', [0x82, 0x80 | 125, ...MASK], { opcode: OP_BINARY, payloadLength: 125, headerLength: 6 }],
  ['a 126-byte frame (16-bit length)', [0x82, 0x80 | 126, 0, 126, ...MASK], { payloadLength: 126, headerLength: 8 }],
  ['a 65535-byte frame', [0x82, 0x80 | 126, 0xff, 0xff, ...MASK], { payloadLength: 65535, headerLength: 8 }],
  ['a 65536-byte frame (64-bit length)', [0x82, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, ...MASK], { payloadLength: 65536, headerLength: 14 }],
  ['a 2^32 + 5 byte frame', [0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 5, ...MASK], { payloadLength: 2 ** 32 + 5, headerLength: 14 }],
  ['the largest exact length, 2^53 - 1', [0x82, 0xff, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...MASK], { payloadLength: 2 ** 53 - 1 }],
  ['a first fragment', [0x01, 0x80, ...MASK], { fin: false, opcode: OP_TEXT }],
  ['a continuation', [0x80, 0x80, ...MASK], { fin: true, opcode: OP_CONTINUATION }],
  ['a compressed text frame', [0xc1, 0x80, ...MASK], { compressed: true, opcode: OP_TEXT }, DEFLATE],
  ['a ping with 125 bytes', [0x89, 0x80 | 125, ...MASK], { opcode: OP_PING, payloadLength: 125 }],
  ['a close', [0x88, 0x82, ...MASK], { opcode: OP_CLOSE, payloadLength: 2 }],
  ['an unmasked server frame', [0x8a, 0x03], { opcode: OP_PONG, masked: false, mask: 0, headerLength: 2 }, { masked: false, compression: false }],
];

for (const [name, bytes, expected, rules] of headers) {
  test(`parseFrameHeader reads ${name}`, (t) => {
    const { r, h } = parse(bytes, rules);
    t.is(r, 'header');
    for (const [k, v] of Object.entries(expected)) t.is(h[k as keyof FrameHeader], v, k);
  });

  test(`parseFrameHeader reads ${name} the same at every split and start offset`, (t) => {
    const whole = parse(bytes, rules).h;
    for (const start of [0, 3]) {
      const buf = new Uint8Array(start + bytes.length + 4).fill(0xff);
      buf.set(bytes, start);
      for (let n = 0; n < bytes.length; n++) {
        t.is(parseFrameHeader(buf, start, start + n, new FrameHeader(), rules ?? SERVER), 'need-more', `${n} bytes`);
      }
      const h = new FrameHeader();
      t.is(parseFrameHeader(buf, start, buf.length, h, rules ?? SERVER), 'header');
      t.deepEqual(h, whole);
    }
  });
}

test('writeFrameHeader writes the shortest length encoding and parses back', (t) => {
  for (const length of [0, 1, 125, 126, 127, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3]) {
    for (const masked of [false, true]) {
      const buf = new Uint8Array(14);
      const n = writeFrameHeader(buf, 0, OP_BINARY, true, masked, length, masked, 0xa1b2c3d4);
      t.is(n, frameHeaderLength(length, masked), `length ${length}`);
      const h = new FrameHeader();
      t.is(parseFrameHeader(buf, 0, n, h, { masked, compression: true }), 'header');
      t.is(h.payloadLength, length);
      t.is(h.headerLength, n);
      t.is(h.compressed, masked);
      t.is(h.mask, masked ? 0xa1b2c3d4 : 0);
    }
  }
});

test('frameHeaderLength switches encodings at 126 and 65536 bytes', (t) => {
  t.deepEqual([125, 126, 65535, 65536].map((n) => frameHeaderLength(n)), [2, 4, 4, 10]);
  t.is(frameHeaderLength(0, true), 6);
});
