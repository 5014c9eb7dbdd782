// Sec-WebSocket-Extensions parsing (RFC 6455 §9.1) and permessage-deflate negotiation (RFC 7692 §7.1): what is
// accepted, what is declined, and the response for each.
import test from 'ava';
import { negotiateDeflate, parseExtensions, type DeflateConfig } from '../../src/websocket/extensions.js';

const SHARED: DeflateConfig = { compress: 'shared', decompress: 'dedicated', serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
const DEDICATED: DeflateConfig = { ...SHARED, compress: 'dedicated' };

test('parseExtensions reads names, parameters, values and quoted values', (t) => {
  t.deepEqual(parseExtensions('permessage-deflate; client_max_window_bits, Foo ; a=1 ;b="15", x-webkit-deflate-frame'), [
    { name: 'permessage-deflate', params: [['client_max_window_bits', true]] },
    { name: 'foo', params: [['a', '1'], ['b', '15']] },
    { name: 'x-webkit-deflate-frame', params: [] },
  ]);
  t.deepEqual(parseExtensions(''), []);
  t.deepEqual(parseExtensions(' , permessage-deflate ,'), [{ name: 'permessage-deflate', params: [] }]);
});

for (const bad of ['permessage-deflate;', 'a; =1', 'a; b=', 'a b', 'a; b="1', 'a; b="1 2"', 'a; b=1 c', '"a"', 'a; b="\\"x"']) {
  test(`parseExtensions refuses ${JSON.stringify(bad)}`, (t) => {
    t.is(parseExtensions(bad), null);
  });
}

const negotiations: Array<[string, string, DeflateConfig, string | null, Record<string, unknown>?]> = [
  ['a plain offer, shared compressor', 'permessage-deflate', SHARED, 'permessage-deflate; server_no_context_takeover',
    { serverContextTakeover: false, clientContextTakeover: true, serverWindowBits: 15, clientWindowBits: 15 }],
  ['a plain offer, dedicated compressor', 'permessage-deflate', DEDICATED, 'permessage-deflate', { serverContextTakeover: true }],
  ['a client that asks for server_no_context_takeover', 'permessage-deflate; server_no_context_takeover', DEDICATED,
    'permessage-deflate; server_no_context_takeover', { serverContextTakeover: false }],
  ['client_max_window_bits without a value (what browsers send)', 'permessage-deflate; client_max_window_bits', SHARED,
    'permessage-deflate; server_no_context_takeover', { clientWindowBits: 15 }],
  ['client_max_window_bits limited by the server', 'permessage-deflate; client_max_window_bits', { ...SHARED, clientMaxWindowBits: 10 },
    'permessage-deflate; server_no_context_takeover; client_max_window_bits=10', { clientWindowBits: 10 }],
  ['client_max_window_bits with a value', 'permessage-deflate; client_max_window_bits=9', SHARED,
    'permessage-deflate; server_no_context_takeover; client_max_window_bits=9', { clientWindowBits: 9 }],
  ['server_max_window_bits', 'permessage-deflate; server_max_window_bits=10', DEDICATED,
    'permessage-deflate; server_max_window_bits=10', { serverWindowBits: 10 }],
  ['a smaller server window of our own', 'permessage-deflate', { ...DEDICATED, serverMaxWindowBits: 11 },
    'permessage-deflate; server_max_window_bits=11', { serverWindowBits: 11 }],
  ['client_no_context_takeover offered', 'permessage-deflate; client_no_context_takeover', DEDICATED,
    'permessage-deflate; client_no_context_takeover', { clientContextTakeover: false }],
  ['a shared decompressor (asks for client_no_context_takeover)', 'permessage-deflate', { ...SHARED, decompress: 'shared' },
    'permessage-deflate; server_no_context_takeover; client_no_context_takeover', { clientContextTakeover: false }],
  ['a quoted window', 'permessage-deflate; server_max_window_bits="12"', DEDICATED, 'permessage-deflate; server_max_window_bits=12'],
  ['window 8 for us when we never compress', 'permessage-deflate; server_max_window_bits=8', { ...SHARED, compress: false },
    'permessage-deflate; server_no_context_takeover; server_max_window_bits=8'],
  ['the second offer when the first is declined', 'permessage-deflate; server_max_window_bits=8, permessage-deflate; client_max_window_bits', DEDICATED, 'permessage-deflate'],
  ['the first offer of two acceptable ones', 'permessage-deflate; server_max_window_bits=12, permessage-deflate', DEDICATED, 'permessage-deflate; server_max_window_bits=12'],
  ['other extensions ignored', 'x-webkit-deflate-frame, permessage-deflate', DEDICATED, 'permessage-deflate'],
  // Declined: RFC 7692 §7.1 lists these as reasons to decline an offer.
  ['an unknown parameter', 'permessage-deflate; foo', SHARED, null],
  ['a duplicate parameter', 'permessage-deflate; server_no_context_takeover; server_no_context_takeover', SHARED, null],
  ['a value on server_no_context_takeover', 'permessage-deflate; server_no_context_takeover=1', SHARED, null],
  ['server_max_window_bits without a value', 'permessage-deflate; server_max_window_bits', SHARED, null],
  ['a window of 7', 'permessage-deflate; client_max_window_bits=7', SHARED, null],
  ['a window of 16', 'permessage-deflate; server_max_window_bits=16', SHARED, null],
  ['a window with a leading zero', 'permessage-deflate; server_max_window_bits=010', SHARED, null],
  // Taken only when nothing else fits, and then never used to compress (zlib compresses with 9 at least).
  ['a server window of 8 as the only offer', 'permessage-deflate; server_max_window_bits=8', SHARED,
    'permessage-deflate; server_no_context_takeover; server_max_window_bits=8', { serverWindowBits: 8 }],
  ['no permessage-deflate offer', 'x-webkit-deflate-frame', SHARED, null],
  ['a malformed header', 'permessage-deflate; ;', SHARED, null],
];

for (const [name, header, config, response, fields] of negotiations) {
  test(`negotiateDeflate: ${name}`, (t) => {
    const p = negotiateDeflate(header, config);
    t.is(p?.response ?? null, response);
    for (const [k, v] of Object.entries(fields ?? {})) t.is((p as unknown as Record<string, unknown>)[k], v, k);
  });
}

test('negotiateDeflate without the header negotiates nothing', (t) => {
  t.is(negotiateDeflate(undefined, SHARED), null);
});
