// PROXY headers as balancers write them (doc/proxy-protocol.txt): v1 lines and v2 blocks with TLVs and CRC32C, for
// the parser tables, the fuzz target's seeds and the socket tests. Written from the spec, not from the parser.
import { isIPv4 } from 'node:net';

/** The v2 signature (§2.2). */
export const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** TLV type numbers (§2.2.1-2.2.7). */
export const PP2 = {
  ALPN: 0x01,
  AUTHORITY: 0x02,
  CRC32C: 0x03,
  NOOP: 0x04,
  UNIQUE_ID: 0x05,
  SSL: 0x20,
  SSL_VERSION: 0x21,
  SSL_CN: 0x22,
  SSL_CIPHER: 0x23,
  SSL_SIG_ALG: 0x24,
  SSL_KEY_ALG: 0x25,
  NETNS: 0x30,
  AWS: 0xea,
} as const;

/** One TLV. */
export interface Tlv {
  type: number;
  value: Uint8Array;
}

/** "PROXY TCP4 src dst sport dport\r\n" (or TCP6 when the addresses are IPv6). */
export function proxyV1(source: string, destination: string, sourcePort: number, destinationPort: number): Buffer {
  const proto = isIPv4(source) ? 'TCP4' : 'TCP6';
  return Buffer.from(`PROXY ${proto} ${source} ${destination} ${sourcePort} ${destinationPort}\r\n`, 'latin1');
}

/** What a v2 header says. */
export interface V2Spec {
  command?: 'LOCAL' | 'PROXY';
  /** 'IPv4' | 'IPv6' | 'unix' | 'unspec'; default from the source address. */
  family?: 'IPv4' | 'IPv6' | 'unix' | 'unspec';
  /** 1 stream (default), 2 datagram, 0 unspecified. */
  transport?: number;
  source?: string;
  destination?: string;
  sourcePort?: number;
  destinationPort?: number;
  tlvs?: readonly Tlv[];
  /** Append a PP2_TYPE_CRC32C TLV with the right checksum (or a wrong one). */
  crc?: 'good' | 'bad';
}

/** A binary v2 header. */
export function proxyV2(spec: V2Spec = {}): Buffer {
  const family = spec.family ?? (spec.source === undefined ? 'unspec' : isIPv4(spec.source) ? 'IPv4' : spec.source.includes(':') ? 'IPv6' : 'unix');
  const famNibble = { unspec: 0, IPv4: 1, IPv6: 2, unix: 3 }[family];
  const block = addressBlock(family, spec);
  const tlvs = [...(spec.tlvs ?? [])].map(encodeTlv);
  if (spec.crc !== undefined) tlvs.push(encodeTlv({ type: PP2.CRC32C, value: Buffer.alloc(4) }));
  const body = Buffer.concat([block, ...tlvs]);
  const head = Buffer.alloc(16);
  V2_SIGNATURE.copy(head);
  head[12] = 0x20 | (spec.command === 'LOCAL' ? 0 : 1);
  head[13] = (famNibble << 4) | (spec.transport ?? 1);
  head.writeUInt16BE(body.length, 14);
  const whole = Buffer.concat([head, body]);
  if (spec.crc !== undefined) {
    const sum = crc32c(whole);
    whole.writeUInt32BE(spec.crc === 'good' ? sum : (sum ^ 1) >>> 0, whole.length - 4);
  }
  return whole;
}

function addressBlock(family: string, spec: V2Spec): Buffer {
  if (family === 'IPv4' || family === 'IPv6') {
    const size = family === 'IPv4' ? 4 : 16;
    const b = Buffer.alloc(2 * size + 4);
    ipBytes(spec.source ?? '', size).copy(b, 0);
    ipBytes(spec.destination ?? '', size).copy(b, size);
    b.writeUInt16BE(spec.sourcePort ?? 0, 2 * size);
    b.writeUInt16BE(spec.destinationPort ?? 0, 2 * size + 2);
    return b;
  }
  if (family === 'unix') {
    const b = Buffer.alloc(216);
    b.write(spec.source ?? '', 0, 107, 'latin1');
    b.write(spec.destination ?? '', 108, 107, 'latin1');
    return b;
  }
  return Buffer.alloc(0);
}

/** type, 16-bit length, value. */
export function encodeTlv(tlv: Tlv): Buffer {
  const b = Buffer.alloc(3 + tlv.value.length);
  b[0] = tlv.type;
  b.writeUInt16BE(tlv.value.length, 1);
  b.set(tlv.value, 3);
  return b;
}

/** PP2_TYPE_SSL: client bits, verify, then sub-TLVs. */
export function sslTlv(client: number, verify: number, subs: readonly Tlv[]): Tlv {
  const fixed = Buffer.alloc(5);
  fixed[0] = client;
  fixed.writeUInt32BE(verify, 1);
  return { type: PP2.SSL, value: Buffer.concat([fixed, ...subs.map(encodeTlv)]) };
}

/** Network-order bytes of an IPv4 or IPv6 address (test input is well-formed). */
export function ipBytes(address: string, size: number): Buffer {
  if (size === 4) return Buffer.from(address.split('.').map(Number));
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const groups = (s: string | undefined): number[] => (s === undefined || s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const b = Buffer.alloc(16);
  all.forEach((g, i) => b.writeUInt16BE(g, i * 2));
  return b;
}

/** CRC32C (Castagnoli), the reference bitwise form. */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
