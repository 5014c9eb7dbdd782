// UTF-8 validation for text messages: the incremental validator agrees with a one-shot check at every split, and
// refuses at the first piece whose bytes can no longer be UTF-8 (RFC 6455 §8.1: fail fast, also across fragments).
import test from 'ava';
import { isUtf8 } from 'node:buffer';
import { decodeUtf8, Utf8Validator } from '../../src/websocket/utf8.js';

/** Runs the validator over `pieces`; the index of the piece it refused at, 'valid', or 'incomplete'. */
function validate(pieces: Uint8Array[]): number | 'valid' | 'incomplete' {
  const v = new Utf8Validator();
  for (let k = 0; k < pieces.length; k++) if (!v.push(pieces[k]!, 0, pieces[k]!.length)) return k;
  return v.finish() ? 'valid' : 'incomplete';
}

const h = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

const samples: Array<[string, Buffer]> = [
  ['ASCII', Buffer.from('Hello-µ@ßöäüàá-UTF-8!!')],
  ['2-, 3- and 4-byte characters', Buffer.from('κόσμε 𝄞 €')],
  ['U+10FFFF', h('f4 8f bf bf')],
  ['U+D7FF (before the surrogates)', h('ed 9f bf')],
  ['U+E000 (after the surrogates)', h('ee 80 80')],
  ['an overlong 2-byte form', h('c0 af')],
  ['an overlong 3-byte form', h('e0 80 af')],
  ['an overlong 4-byte form', h('f0 80 80 af')],
  ['a surrogate', h('ed a0 80')],
  ['past U+10FFFF', h('f4 90 80 80')],
  ['a lone continuation byte', h('41 80 41')],
  ['0xFF', h('41 ff')],
  ['a truncated 3-byte sequence before ASCII', h('e2 82 41')],
  ['text then a cut-off character', h('ce ba e1 bd b9 cf 83 ce bc ce b5 f4 90 80 80 65 64 69 74 65 64')],
];

for (const [name, bytes] of samples) {
  test(`Utf8Validator agrees with isUtf8 at every split: ${name}`, (t) => {
    const expected = isUtf8(bytes);
    t.is(validate([bytes]) === 'valid', expected);
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        const r = validate([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]);
        t.is(r === 'valid', expected, `cuts at ${i}, ${j}`);
      }
    }
  });
}

test('Utf8Validator refuses a code point past U+10FFFF at its second byte, before the rest arrives', (t) => {
  // Autobahn 6.4.x: the invalid sequence must fail at the fragment that carries it.
  const pieces = [Buffer.from('κόσμε'), h('f4'), h('90'), h('80 80'), Buffer.from('edited')];
  t.is(validate(pieces), 2);
});

test('Utf8Validator refuses a surrogate as soon as its second byte arrives', (t) => {
  t.is(validate([h('41 ed'), h('a0'), h('80')]), 1);
});

test('Utf8Validator reports a text that ends inside a character', (t) => {
  t.is(validate([Buffer.from('ab'), h('e2 82')]), 'incomplete');
});

test('Utf8Validator is ready for the next text after finish()', (t) => {
  const v = new Utf8Validator();
  t.true(v.push(h('e2 82'), 0, 2));
  t.false(v.finish());
  t.true(v.push(h('41'), 0, 1));
  t.true(v.finish());
});

test('Utf8Validator reads only buf[start, end)', (t) => {
  const v = new Utf8Validator();
  const buf = h('ff 41 42 ff');
  t.true(v.push(buf, 1, 3));
  t.true(v.finish());
});

test('decodeUtf8 decodes valid text, ASCII or not, short or long', (t) => {
  for (const s of ['', 'hi', 'héllo', 'x'.repeat(300), 'é'.repeat(300), '𝄞'.repeat(100)]) {
    const buf = Buffer.concat([Buffer.from('!!'), Buffer.from(s), Buffer.from('!')]);
    t.is(decodeUtf8(buf, 2, buf.length - 1), s);
  }
});

test('decodeUtf8 keeps a leading byte order mark: it is part of the message', (t) => {
  const buf = Buffer.from('\ufeffhi');
  t.is(decodeUtf8(buf, 0, buf.length), '\ufeffhi');
});

test('decodeUtf8 returns null for invalid text, short or long', (t) => {
  t.is(decodeUtf8(h('41 c0 af'), 0, 3), null);
  t.is(decodeUtf8(Buffer.concat([Buffer.alloc(300, 0x41), h('ed a0 80')]), 0, 303), null);
});
