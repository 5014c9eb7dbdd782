// The PROXY header parser the accept path runs (parseProxyHeader exposes it): v1 and v2 as the spec writes them, every
// refusal with its code, and the split rule: every prefix of a header is "need more", never an error or a guess.
import test, { type ExecutionContext } from 'ava';
import { loadNative, type NativeProxyParse } from '../../src/native/index.js';
import { encodeTlv, PP2, proxyV1, proxyV2, sslTlv, V2_SIGNATURE } from './support/proxy-header.js';

const native = loadNative();
const parse = (bytes: Uint8Array | string): NativeProxyParse => native.parseProxyHeader(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);

const refuses = test.macro((t: ExecutionContext, bytes: Uint8Array | string, code: string) => {
  t.deepEqual(parse(bytes), { kind: 'error', code });
});

const header = (bytes: Uint8Array | string) => {
  const r = parse(bytes);
  if (r.kind !== 'header') throw new Error(`expected a header, got ${JSON.stringify(r)}`);
  return r;
};

test('a v1 TCP4 line names the client, the address it reached, and the bytes it took', (t) => {
  const line = 'PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\n';
  const r = header(line + 'GET / HTTP/1.1\r\n');
  t.like(r, { version: 1, command: 'PROXY', family: 'IPv4', transport: 'stream', length: line.length });
  t.deepEqual(r.source, { address: '192.0.2.10', port: 56324 });
  t.deepEqual(r.destination, { address: '198.51.100.1', port: 443 });
  t.deepEqual(r.tlvs.list, []);
});

test('a v1 TCP6 line of the longest addresses is read (104 bytes)', (t) => {
  const full = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
  const line = proxyV1(full, full, 65535, 65535);
  t.is(line.length, 104);
  const r = header(line);
  t.like(r, { family: 'IPv6', length: 104 });
  t.deepEqual(r.source, { address: full, port: 65535 });
});

test('v1 UNKNOWN leaves the real endpoints, and whatever follows it on the line is ignored (§2.1)', (t) => {
  t.like(header('PROXY UNKNOWN\r\n'), { family: 'unspec', source: null, destination: null, length: 15 });
  t.like(header('PROXY UNKNOWN ffff:f::1 ffff:f::2 1 2\r\n'), { family: 'unspec', source: null });
});

test('a v1 line of exactly 107 bytes is read; one byte more is too long', (t) => {
  const pad = (n: number): string => `PROXY UNKNOWN ${'x'.repeat(n - 16)}\r\n`;
  t.like(header(pad(107)), { length: 107 });
  t.deepEqual(parse(pad(108)), { kind: 'error', code: 'V1_TOO_LONG' });
});

test('v1 refuses lines that are not what the spec writes', async (t) => {
  const cases: Array<[string, string]> = [
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n', 'V1_SYNTAX'],
    ['PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n', 'V1_SYNTAX'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n', 'V1_SYNTAX'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n', 'V1_SYNTAX'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n', 'V1_SYNTAX'],
    ['PROXY \r\n', 'V1_SYNTAX'],
    ['PROXY TCP4\r\n', 'V1_SYNTAX'],
    ['PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n', 'V1_PROTOCOL'],
    ['PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n', 'V1_PROTOCOL'],
    ['PROXY UNKNOWNX\r\n', 'V1_PROTOCOL'],
    ['PROXY TCP4 ::1 ::1 1 2\r\n', 'BAD_ADDRESS'],
    ['PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n', 'BAD_ADDRESS'],
    ['PROXY TCP4 256.1.1.1 5.6.7.8 1 2\r\n', 'BAD_ADDRESS'],
    ['PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n', 'BAD_ADDRESS'],
    ['PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n', 'BAD_ADDRESS'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n', 'BAD_PORT'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n', 'BAD_PORT'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n', 'BAD_PORT'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2x\r\n', 'BAD_PORT'],
    [`PROXY TCP4 1.2.3.4 5.6.7.8 1 ${'1'.repeat(90)}`, 'V1_TOO_LONG'],
  ];
  for (const [line, code] of cases) t.deepEqual(parse(line), { kind: 'error', code }, JSON.stringify(line));
});

test('anything that is not a PROXY header is refused on its first byte: plain HTTP', refuses, 'G', 'NOT_PROXY');
test('anything that is not a PROXY header is refused on its first byte: a TLS ClientHello', refuses, Buffer.from([0x16, 0x03, 0x01]), 'NOT_PROXY');
test('a lower-case v1 prefix is refused', refuses, 'proxy TCP4', 'NOT_PROXY');
test('a v2 signature that goes wrong half-way is refused there', refuses, Buffer.concat([V2_SIGNATURE.subarray(0, 7), Buffer.from('X')]), 'NOT_PROXY');

test('a v2 PROXY over TCP4 names the client and reads no further than its length', (t) => {
  const block = proxyV2({ source: '203.0.113.7', destination: '10.0.0.1', sourcePort: 40000, destinationPort: 80 });
  const r = header(Buffer.concat([block, Buffer.from('GET / HTTP/1.1\r\n')]));
  t.like(r, { version: 2, command: 'PROXY', family: 'IPv4', transport: 'stream', length: 28 });
  t.deepEqual(r.source, { address: '203.0.113.7', port: 40000 });
  t.deepEqual(r.destination, { address: '10.0.0.1', port: 80 });
});

test('a v2 PROXY over TCP6 and over UNIX sockets', (t) => {
  const six = header(proxyV2({ source: '2001:db8::7', destination: '2001:db8::1', sourcePort: 1, destinationPort: 443 }));
  t.like(six, { family: 'IPv6', length: 52 });
  t.deepEqual(six.source, { address: '2001:db8::7', port: 1 });
  const unix = header(proxyV2({ family: 'unix', source: '/run/client.sock', destination: '/run/haproxy.sock' }));
  t.like(unix, { family: 'unix', length: 16 + 216 });
  t.deepEqual(unix.source, { address: '/run/client.sock', port: 0 });
});

test('v2 LOCAL (a health check) keeps the real endpoints, whatever family or block it carries (§2.2)', (t) => {
  t.like(header(proxyV2({ command: 'LOCAL' })), { command: 'LOCAL', family: 'unspec', source: null, length: 16 });
  t.like(header(proxyV2({ command: 'LOCAL', source: '1.2.3.4', destination: '5.6.7.8' })), { command: 'LOCAL', source: null, length: 28 });
  const odd = proxyV2({ command: 'LOCAL' });
  odd[13] = 0x51; // family 5: unknown, ignored under LOCAL
  t.like(header(Buffer.concat([odd.subarray(0, 14), Buffer.from([0, 3, 1, 2, 3])])), { command: 'LOCAL', length: 19 });
});

test('v2 PROXY with UNSPEC family leaves the real endpoints too', (t) => {
  t.like(header(proxyV2({ family: 'unspec' })), { command: 'PROXY', family: 'unspec', source: null });
});

test('v2 TLVs: ALPN, authority, unique id and SSL by name, every TLV in the list, custom ones included', (t) => {
  const tlvs = [
    { type: PP2.ALPN, value: Buffer.from('h2') },
    { type: PP2.AUTHORITY, value: Buffer.from('example.com') },
    { type: PP2.UNIQUE_ID, value: Buffer.from('req-42') },
    sslTlv(0x07, 0, [
      { type: PP2.SSL_VERSION, value: Buffer.from('TLSv1.3') },
      { type: PP2.SSL_CN, value: Buffer.from('client.example') },
      { type: PP2.SSL_CIPHER, value: Buffer.from('TLS_AES_128_GCM_SHA256') },
      { type: PP2.SSL_SIG_ALG, value: Buffer.from('ECDSA-SHA256') },
      { type: PP2.SSL_KEY_ALG, value: Buffer.from('EC256') },
    ]),
    { type: PP2.NOOP, value: Buffer.alloc(3) },
    { type: PP2.AWS, value: Buffer.from('\x01vpce-0123456789', 'latin1') },
  ];
  const r = header(proxyV2({ source: '1.2.3.4', destination: '5.6.7.8', sourcePort: 9, destinationPort: 10, tlvs, crc: 'good' }));
  t.is(r.tlvs.alpn, 'h2');
  t.is(r.tlvs.authority, 'example.com');
  t.is(Buffer.from(r.tlvs.uniqueId!).toString(), 'req-42');
  t.deepEqual(r.tlvs.ssl, { client: 7, verified: true, version: 'TLSv1.3', cn: 'client.example', cipher: 'TLS_AES_128_GCM_SHA256', sigAlg: 'ECDSA-SHA256', keyAlg: 'EC256' });
  t.deepEqual(r.tlvs.list.map((e) => e.type), [PP2.ALPN, PP2.AUTHORITY, PP2.UNIQUE_ID, PP2.SSL, PP2.NOOP, PP2.AWS, PP2.CRC32C]);
  t.is(Buffer.from(r.tlvs.list[5]!.value).toString('latin1'), '\x01vpce-0123456789');
});

test('v2 refuses bad fixed fields as soon as they arrive', async (t) => {
  const good = proxyV2({ source: '1.2.3.4', destination: '5.6.7.8' });
  const at = (i: number, v: number, cut: number): Buffer => {
    const b = Buffer.from(good);
    b[i] = v;
    return b.subarray(0, cut);
  };
  t.deepEqual(parse(at(12, 0x11, 13)), { kind: 'error', code: 'V2_VERSION' });
  t.deepEqual(parse(at(12, 0x31, 13)), { kind: 'error', code: 'V2_VERSION' });
  t.deepEqual(parse(at(12, 0x22, 13)), { kind: 'error', code: 'V2_COMMAND' });
  t.deepEqual(parse(at(13, 0x41, 14)), { kind: 'error', code: 'V2_FAMILY' });
  t.deepEqual(parse(at(13, 0x13, 14)), { kind: 'error', code: 'V2_FAMILY' });
});

test('v2 refuses lengths that do not fit: oversized, shorter than the address block', (t) => {
  const big = Buffer.from(proxyV2({ source: '1.2.3.4', destination: '5.6.7.8' }));
  big.writeUInt16BE(4096 - 16 + 1, 14);
  t.deepEqual(parse(big.subarray(0, 16)), { kind: 'error', code: 'V2_TOO_LONG' }, 'refused from the fixed part alone');
  const short = Buffer.from(proxyV2({ source: '1.2.3.4', destination: '5.6.7.8' }));
  short.writeUInt16BE(8, 14);
  t.deepEqual(parse(short), { kind: 'error', code: 'V2_LENGTH' });
  const six = Buffer.from(proxyV2({ source: '::1', destination: '::2' }));
  six.writeUInt16BE(12, 14);
  t.deepEqual(parse(six), { kind: 'error', code: 'V2_LENGTH' });
});

test('a v2 header of the largest accepted size is read', (t) => {
  const fill = 4096 - 16 - 12 - 3;
  t.like(header(proxyV2({ source: '1.2.3.4', destination: '5.6.7.8', tlvs: [{ type: PP2.NOOP, value: Buffer.alloc(fill) }] })), { length: 4096 });
});

test('v2 refuses TLVs with lengths their header cannot hold or their type forbids', (t) => {
  const base = { source: '1.2.3.4', destination: '5.6.7.8' };
  const withRaw = (raw: Buffer): Buffer => {
    const b = proxyV2(base);
    const whole = Buffer.concat([b, raw]);
    whole.writeUInt16BE(whole.length - 16, 14);
    return whole;
  };
  t.deepEqual(parse(withRaw(Buffer.from([PP2.ALPN, 0, 5, 0x68]))), { kind: 'error', code: 'BAD_TLV' }, 'value past the end');
  t.deepEqual(parse(withRaw(Buffer.from([PP2.ALPN, 0]))), { kind: 'error', code: 'BAD_TLV' }, 'a cut TLV header');
  t.deepEqual(parse(withRaw(encodeTlv({ type: PP2.CRC32C, value: Buffer.alloc(3) }))), { kind: 'error', code: 'BAD_TLV' });
  t.deepEqual(parse(withRaw(encodeTlv({ type: PP2.UNIQUE_ID, value: Buffer.alloc(129) }))), { kind: 'error', code: 'BAD_TLV' });
  t.like(header(withRaw(encodeTlv({ type: PP2.UNIQUE_ID, value: Buffer.alloc(128) }))), { version: 2 });
  t.deepEqual(parse(withRaw(encodeTlv({ type: PP2.SSL, value: Buffer.alloc(4) }))), { kind: 'error', code: 'BAD_TLV' });
  const badSub = Buffer.concat([Buffer.alloc(5), Buffer.from([PP2.SSL_CN, 0, 9, 0x61])]);
  t.deepEqual(parse(withRaw(encodeTlv({ type: PP2.SSL, value: badSub }))), { kind: 'error', code: 'BAD_TLV' });
});

test('v2 checks a CRC32C TLV against the header and refuses a mismatch', (t) => {
  const spec = { source: '1.2.3.4', destination: '5.6.7.8', tlvs: [{ type: PP2.AUTHORITY, value: Buffer.from('a.example') }] };
  t.like(header(proxyV2({ ...spec, crc: 'good' })), { version: 2 });
  t.deepEqual(parse(proxyV2({ ...spec, crc: 'bad' })), { kind: 'error', code: 'BAD_CHECKSUM' });
  const flipped = proxyV2({ ...spec, crc: 'good' });
  flipped[20] = (flipped[20]! ^ 0x01) & 0xff;
  t.deepEqual(parse(flipped), { kind: 'error', code: 'BAD_CHECKSUM' }, 'an address bit flipped in transit');
});

test('a v2 UNIX path without its NUL is refused', (t) => {
  const b = proxyV2({ family: 'unix', source: '/a', destination: '/b' });
  b.fill(0x61, 16, 16 + 108);
  t.deepEqual(parse(b), { kind: 'error', code: 'BAD_ADDRESS' });
});

test('parseProxyHeader refuses what is not bytes with a TypeError', (t) => {
  t.throws(() => native.parseProxyHeader('PROXY' as unknown as Uint8Array), { instanceOf: TypeError, code: 'ERR_INVALID_ARG_TYPE' });
});

/** Headers the split rule runs over. */
const SPLIT_CASES: Array<[string, Buffer]> = [
  ['v1 TCP4', proxyV1('192.0.2.1', '192.0.2.2', 1234, 80)],
  ['v1 TCP6', proxyV1('2001:db8::1', '2001:db8::2', 1, 65535)],
  ['v1 UNKNOWN', Buffer.from('PROXY UNKNOWN whatever\r\n')],
  ['v2 TCP4 with TLVs and CRC', proxyV2({ source: '10.1.2.3', destination: '10.0.0.1', sourcePort: 5, destinationPort: 6,
    tlvs: [{ type: PP2.ALPN, value: Buffer.from('http/1.1') }, sslTlv(1, 0, [{ type: PP2.SSL_VERSION, value: Buffer.from('TLSv1.2') }])], crc: 'good' })],
  ['v2 TCP6', proxyV2({ source: '::1', destination: '::2', sourcePort: 1, destinationPort: 2 })],
  ['v2 LOCAL', proxyV2({ command: 'LOCAL' })],
];

for (const [name, bytes] of SPLIT_CASES) {
  test(`${name}: every prefix is need-more, and bytes after it never change the header`, (t) => {
    const whole = header(bytes);
    t.is(whole.length, bytes.length);
    for (let cut = 0; cut < bytes.length; cut++) t.deepEqual(parse(bytes.subarray(0, cut)), { kind: 'need-more' }, `cut at ${cut}`);
    const tail = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let extra = 1; extra <= tail.length; extra++) t.deepEqual(parse(Buffer.concat([bytes, tail.subarray(0, extra)])), whole);
  });
}
