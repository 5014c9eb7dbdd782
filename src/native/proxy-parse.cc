// The PROXY header parser (proxy.h): v1's text line and v2's binary block, with TLV and CRC32C checks. Pure: it
// reads the bytes it is given and nothing else. Key decision: a prefix that can no longer become a header is refused
// as soon as it is seen (a plain HTTP request at a PROXY port fails on its first byte, not at the deadline).
#include <arpa/inet.h>

#include <array>
#include <cstring>

#include "proxy.h"

namespace sluice {

static const uint8_t V1_PREFIX[] = {'P', 'R', 'O', 'X', 'Y', ' '};
// §2.2: the v2 signature, chosen to be invalid as the start of any text protocol.
static const uint8_t V2_SIGNATURE[] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

const char* proxyErrorName(ProxyError err) {
  switch (err) {
    case ProxyError::none: return "NONE";
    case ProxyError::notProxy: return "NOT_PROXY";
    case ProxyError::v1TooLong: return "V1_TOO_LONG";
    case ProxyError::v1Syntax: return "V1_SYNTAX";
    case ProxyError::v1Protocol: return "V1_PROTOCOL";
    case ProxyError::badAddress: return "BAD_ADDRESS";
    case ProxyError::badPort: return "BAD_PORT";
    case ProxyError::v2Version: return "V2_VERSION";
    case ProxyError::v2Command: return "V2_COMMAND";
    case ProxyError::v2Family: return "V2_FAMILY";
    case ProxyError::v2TooLong: return "V2_TOO_LONG";
    case ProxyError::v2Length: return "V2_LENGTH";
    case ProxyError::badTlv: return "BAD_TLV";
    case ProxyError::badChecksum: return "BAD_CHECKSUM";
  }
  return "UNKNOWN";
}

static ProxyParse fail(ProxyError* err, ProxyError why) {
  *err = why;
  return ProxyParse::error;
}

// ** CRC32C: Castagnoli polynomial, reflected (0x82F63B78), table-driven; only headers that carry one pay for it.

static constexpr std::array<uint32_t, 256> makeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[i] = c;
  }
  return table;
}
static constexpr std::array<uint32_t, 256> CRC_TABLE = makeCrcTable();

uint32_t crc32c(const uint8_t* bytes, size_t len) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < len; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// ** v1: "PROXY TCP4 <src> <dst> <sport> <dport>\r\n", "PROXY TCP6 ...", or "PROXY UNKNOWN[ anything]\r\n".

// A field of [*at, end) up to the next space (or the end); advances *at past the space.
static bool nextField(const char** at, const char* end, const char** field, size_t* length, bool last) {
  const char* p = *at;
  const char* q = p;
  while (q < end && *q != ' ') q++;
  if (q == p) return false;            // empty field: two spaces in a row, or a trailing space
  if (last != (q == end)) return false;  // the last field ends the line; the others are followed by one space
  *field = p;
  *length = static_cast<size_t>(q - p);
  *at = q == end ? q : q + 1;
  return true;
}

static bool parseAddressText(int family, const char* text, size_t length, uint8_t* out) {
  char copy[48];
  if (length >= sizeof copy) return false;
  std::memcpy(copy, text, length);
  copy[length] = '\0';
  return inet_pton(family, copy, out) == 1;  // glibc refuses leading zeros in IPv4 octets, as §2.1's format does
}

// §2.1: "a decimal integer in the range 0..65535 inclusive"; leading zeros are not canonical, so refused.
static bool parsePortText(const char* text, size_t length, uint16_t* out) {
  if (length == 0 || length > 5 || (length > 1 && text[0] == '0')) return false;
  uint32_t n = 0;
  for (size_t i = 0; i < length; i++) {
    if (text[i] < '0' || text[i] > '9') return false;
    n = n * 10 + static_cast<uint32_t>(text[i] - '0');
  }
  if (n > 65535) return false;
  *out = static_cast<uint16_t>(n);
  return true;
}

static ProxyParse parseV1(const uint8_t* buf, size_t len, ProxyHeader* out, ProxyError* err) {
  size_t scan = len < PROXY_V1_MAX ? len : PROXY_V1_MAX;
  const uint8_t* lf = static_cast<const uint8_t*>(std::memchr(buf, '\n', scan));
  if (lf == nullptr) return len >= PROXY_V1_MAX ? fail(err, ProxyError::v1TooLong) : ProxyParse::needMore;
  size_t lineEnd = static_cast<size_t>(lf - buf);  // index of LF
  if (lineEnd < 1 || buf[lineEnd - 1] != '\r') return fail(err, ProxyError::v1Syntax);
  const char* at = reinterpret_cast<const char*>(buf) + sizeof V1_PREFIX;
  const char* end = reinterpret_cast<const char*>(buf) + lineEnd - 1;  // the CR
  const char* proto;
  size_t protoLength;
  // "UNKNOWN" may be followed by anything up to the CRLF, which the receiver ignores (§2.1).
  const char* q = at;
  while (q < end && *q != ' ') q++;
  proto = at;
  protoLength = static_cast<size_t>(q - at);
  out->version = 1;
  out->transport = 1;
  out->length = lineEnd + 1;
  if (protoLength == 7 && std::memcmp(proto, "UNKNOWN", 7) == 0) {
    out->family = AF_UNSPEC;
    return ProxyParse::header;
  }
  int family;
  if (protoLength == 4 && std::memcmp(proto, "TCP4", 4) == 0) family = AF_INET;
  else if (protoLength == 4 && std::memcmp(proto, "TCP6", 4) == 0) family = AF_INET6;
  else return fail(err, protoLength == 0 ? ProxyError::v1Syntax : ProxyError::v1Protocol);
  if (q == end) return fail(err, ProxyError::v1Syntax);
  at = q + 1;
  const char* fields[4];
  size_t lengths[4];
  for (int i = 0; i < 4; i++) {
    if (!nextField(&at, end, &fields[i], &lengths[i], i == 3)) return fail(err, ProxyError::v1Syntax);
  }
  out->family = family;
  if (!parseAddressText(family, fields[0], lengths[0], out->source) ||
      !parseAddressText(family, fields[1], lengths[1], out->destination)) {
    return fail(err, ProxyError::badAddress);
  }
  if (!parsePortText(fields[2], lengths[2], &out->sourcePort) || !parsePortText(fields[3], lengths[3], &out->destinationPort)) {
    return fail(err, ProxyError::badPort);
  }
  return ProxyParse::header;
}

// ** v2: signature, ver_cmd, fam, len, address block, TLVs.

// Checks every TLV: lengths inside the header, and the types whose length the spec fixes or bounds.
static ProxyError checkTlvs(const uint8_t* header, size_t headerLength, const uint8_t* tlvs, size_t len) {
  ProxyError why = ProxyError::none;
  bool ok = forEachTlv(tlvs, len, [&](uint8_t type, const uint8_t* value, size_t length) {
    if (type == PP2_TYPE_CRC32C) {
      if (length != 4) return false;
      // §2.2.3: the checksum of the whole header with the checksum field itself zeroed.
      uint32_t given = (static_cast<uint32_t>(value[0]) << 24) | (static_cast<uint32_t>(value[1]) << 16) |
                       (static_cast<uint32_t>(value[2]) << 8) | value[3];
      std::vector<uint8_t> copy(header, header + headerLength);
      std::memset(copy.data() + (value - header), 0, 4);
      if (crc32c(copy.data(), copy.size()) != given) {
        why = ProxyError::badChecksum;
        return false;
      }
    } else if (type == PP2_TYPE_UNIQUE_ID) {
      if (length > PROXY_UNIQUE_ID_MAX) return false;
    } else if (type == PP2_TYPE_SSL) {
      if (length < PP2_SSL_FIXED) return false;
      return forEachTlv(value + PP2_SSL_FIXED, length - PP2_SSL_FIXED, [](uint8_t, const uint8_t*, size_t) { return true; });
    }
    return true;
  });
  if (ok) return ProxyError::none;
  return why == ProxyError::none ? ProxyError::badTlv : why;
}

static bool hasNul(const uint8_t* path) { return std::memchr(path, 0, PROXY_UNIX_PATH) != nullptr; }

static ProxyParse parseV2(const uint8_t* buf, size_t len, ProxyHeader* out, ProxyError* err) {
  // The fixed part alone decides version, command, family and length: refuse early, before the body arrives.
  if (len > 12 && (buf[12] >> 4) != 2) return fail(err, ProxyError::v2Version);
  if (len > 12 && (buf[12] & 0x0F) > 1) return fail(err, ProxyError::v2Command);
  // §2.2: with LOCAL the receiver discards the protocol block, family included, so only PROXY's must be known.
  bool local = len > 12 && (buf[12] & 0x0F) == 0;
  bool knownFamily = len <= 13 || ((buf[13] >> 4) <= 3 && (buf[13] & 0x0F) <= 2);
  if (!local && !knownFamily) return fail(err, ProxyError::v2Family);
  if (len < PROXY_V2_FIXED) return ProxyParse::needMore;
  size_t bodyLength = (static_cast<size_t>(buf[14]) << 8) | buf[15];
  if (PROXY_V2_FIXED + bodyLength > PROXY_V2_MAX) return fail(err, ProxyError::v2TooLong);
  int famNibble = buf[13] >> 4;
  size_t block = famNibble == 1 ? PROXY_V2_INET_BLOCK : famNibble == 2 ? PROXY_V2_INET6_BLOCK : famNibble == 3 ? PROXY_V2_UNIX_BLOCK : 0;
  // LOCAL ignores the address block whatever it says, so only PROXY needs it whole.
  if (!local && bodyLength < block) return fail(err, ProxyError::v2Length);
  if (len < PROXY_V2_FIXED + bodyLength) return ProxyParse::needMore;
  const uint8_t* body = buf + PROXY_V2_FIXED;
  out->version = 2;
  out->local = local;
  out->transport = buf[13] & 0x0F;
  out->length = PROXY_V2_FIXED + bodyLength;
  // TLVs follow the family's address block; under LOCAL with an unknown family there is no telling where they start.
  size_t skip = !knownFamily ? bodyLength : block <= bodyLength ? block : bodyLength;
  out->tlvs = body + skip;
  out->tlvLength = bodyLength - skip;
  ProxyError tlv = checkTlvs(buf, out->length, out->tlvs, out->tlvLength);
  if (tlv != ProxyError::none) return fail(err, tlv);
  if (local || famNibble == 0) {
    out->family = AF_UNSPEC;  // §2.2: the receiver uses the connection's real endpoints
    return ProxyParse::header;
  }
  if (famNibble == 1) {
    out->family = AF_INET;
    std::memcpy(out->source, body, 4);
    std::memcpy(out->destination, body + 4, 4);
    out->sourcePort = static_cast<uint16_t>((body[8] << 8) | body[9]);
    out->destinationPort = static_cast<uint16_t>((body[10] << 8) | body[11]);
  } else if (famNibble == 2) {
    out->family = AF_INET6;
    std::memcpy(out->source, body, 16);
    std::memcpy(out->destination, body + 16, 16);
    out->sourcePort = static_cast<uint16_t>((body[32] << 8) | body[33]);
    out->destinationPort = static_cast<uint16_t>((body[34] << 8) | body[35]);
  } else {
    if (!hasNul(body) || !hasNul(body + PROXY_UNIX_PATH)) return fail(err, ProxyError::badAddress);
    out->family = AF_UNIX;
    out->unixSource = body;
    out->unixDestination = body + PROXY_UNIX_PATH;
  }
  return ProxyParse::header;
}

// Compares what is there of buf with a signature: -1 mismatch, 0 a prefix of it, 1 all of it.
static int matchSignature(const uint8_t* buf, size_t len, const uint8_t* signature, size_t size) {
  size_t n = len < size ? len : size;
  if (std::memcmp(buf, signature, n) != 0) return -1;
  return n == size ? 1 : 0;
}

ProxyParse parseProxyHeader(const uint8_t* buf, size_t len, ProxyHeader* out, ProxyError* err) {
  *err = ProxyError::none;
  if (len == 0) return ProxyParse::needMore;
  if (buf[0] == V2_SIGNATURE[0]) {
    int m = matchSignature(buf, len, V2_SIGNATURE, sizeof V2_SIGNATURE);
    if (m < 0) return fail(err, ProxyError::notProxy);
    return m == 0 ? ProxyParse::needMore : parseV2(buf, len, out, err);
  }
  int m = matchSignature(buf, len, V1_PREFIX, sizeof V1_PREFIX);
  if (m < 0) return fail(err, ProxyError::notProxy);
  return m == 0 ? ProxyParse::needMore : parseV1(buf, len, out, err);
}

}  // namespace sluice
