// The PROXY protocol (HAProxy's doc/proxy-protocol.txt, v1 text and v2 binary): a pure parser over bytes, the record
// of what a connection's header said, and the listener's trust policy. The prelude's PROXY stage (proxy-stage.cc)
// reads the bytes; nothing here does I/O, so the parser runs the same under tests, fuzzing and the accept path.
#pragma once
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "loop-state.h"

namespace sluice {

// §2.1: the longest v1 line ("PROXY TCP6" + two full IPv6 addresses + ports), CRLF included.
constexpr size_t PROXY_V1_MAX = 107;
// §2.2: the v2 fixed part: 12-byte signature, version/command, family/transport, 16-bit length.
constexpr size_t PROXY_V2_FIXED = 16;
// The largest v2 header accepted, TLVs included (the spec allows 16 + 65535). AWS and HAProxy send well under 1 KiB;
// a bigger one is refused as oversized rather than buffered (nginx reads it into its 1 KiB header buffer).
constexpr size_t PROXY_V2_MAX = 4096;
// §2.2.5: a unique ID is at most 128 bytes.
constexpr size_t PROXY_UNIQUE_ID_MAX = 128;
// §2.2: address block sizes per family.
constexpr size_t PROXY_V2_INET_BLOCK = 12;
constexpr size_t PROXY_V2_INET6_BLOCK = 36;
constexpr size_t PROXY_V2_UNIX_BLOCK = 216;
constexpr size_t PROXY_UNIX_PATH = 108;

// §2.2.1-2.2.7: the TLV types this layer reads (others are kept and passed on as raw bytes).
constexpr uint8_t PP2_TYPE_ALPN = 0x01;
constexpr uint8_t PP2_TYPE_AUTHORITY = 0x02;
constexpr uint8_t PP2_TYPE_CRC32C = 0x03;
constexpr uint8_t PP2_TYPE_UNIQUE_ID = 0x05;
constexpr uint8_t PP2_TYPE_SSL = 0x20;
constexpr uint8_t PP2_SUBTYPE_SSL_VERSION = 0x21;
constexpr uint8_t PP2_SUBTYPE_SSL_CN = 0x22;
constexpr uint8_t PP2_SUBTYPE_SSL_CIPHER = 0x23;
constexpr uint8_t PP2_SUBTYPE_SSL_SIG_ALG = 0x24;
constexpr uint8_t PP2_SUBTYPE_SSL_KEY_ALG = 0x25;
constexpr size_t PP2_SSL_FIXED = 5;  // client bits (1) + verify result (4), then sub-TLVs

/** What parseProxyHeader found in the bytes so far. */
enum class ProxyParse : uint8_t { needMore, header, error };

/** Why a header was refused; proxyErrorName() gives its code for JS ('BAD_V2_LENGTH'...). */
enum class ProxyError : uint8_t {
  none,
  notProxy,      // neither signature: plain HTTP, TLS, or garbage at a PROXY listener
  v1TooLong,     // no CRLF within 107 bytes
  v1Syntax,      // bad separators, missing or extra fields, a bare LF
  v1Protocol,    // not TCP4, TCP6 or UNKNOWN
  badAddress,    // not an address of the announced family (v1), or a v2 UNIX path without its NUL
  badPort,       // not 0-65535 in canonical decimal
  v2Version,     // version nibble is not 2
  v2Command,     // command nibble is neither LOCAL nor PROXY
  v2Family,      // unknown address family or transport
  v2TooLong,     // announced length past PROXY_V2_MAX
  v2Length,      // announced length shorter than the family's address block
  badTlv,        // a TLV runs past the header, or a typed TLV has a length its type forbids
  badChecksum,   // PP2_TYPE_CRC32C does not match
};

/** The code JS sees for err ('NOT_PROXY', 'V1_TOO_LONG'...). */
const char* proxyErrorName(ProxyError err);

/** One parsed header. Addresses are in network order; TLVs and UNIX paths are views into the parsed bytes. */
struct ProxyHeader {
  uint8_t version = 0;        // 1 or 2
  bool local = false;         // v2 LOCAL: the balancer's own connection (health check); the real endpoints stand
  int family = AF_UNSPEC;     // AF_INET, AF_INET6, AF_UNIX; AF_UNSPEC for v1 UNKNOWN, v2 UNSPEC and LOCAL
  uint8_t transport = 0;      // v2's low nibble: 0 unspecified, 1 stream, 2 datagram (v1: always 1)
  uint8_t source[16] = {};    // IPv4 uses the first 4 bytes
  uint8_t destination[16] = {};
  uint16_t sourcePort = 0;
  uint16_t destinationPort = 0;
  const uint8_t* unixSource = nullptr;  // AF_UNIX: NUL-terminated paths of up to 108 bytes
  const uint8_t* unixDestination = nullptr;
  const uint8_t* tlvs = nullptr;        // v2: the TLV area after the address block
  size_t tlvLength = 0;
  size_t length = 0;          // bytes the whole header took: what comes after it is the client's
};

/** Parses the PROXY header at buf[0, len): needMore (a valid prefix), header (out filled), or error (*err set).
 *  A prefix that can no longer become a header is an error at once, so plain HTTP is refused without a wait. */
ProxyParse parseProxyHeader(const uint8_t* buf, size_t len, ProxyHeader* out, ProxyError* err);

/** CRC32C (Castagnoli) of bytes, as §2.2.3 asks for; used with the checksum field zeroed. */
uint32_t crc32c(const uint8_t* bytes, size_t len);

/** Calls fn(type, value, length) for each well-formed TLV of [tlvs, tlvs + len); false if one runs past the end. */
template <typename Fn>
bool forEachTlv(const uint8_t* tlvs, size_t len, Fn fn) {
  size_t at = 0;
  while (at < len) {
    if (len - at < 3) return false;
    size_t valueLength = (static_cast<size_t>(tlvs[at + 1]) << 8) | tlvs[at + 2];
    if (len - at - 3 < valueLength) return false;
    if (!fn(tlvs[at], tlvs + at + 3, valueLength)) return false;
    at += 3 + valueLength;
  }
  return true;
}

/** What a connection's header said, kept until the fd closes (peerAddress, proxyInfo). */
struct ProxyInfo {
  uint8_t version = 0;
  bool local = false;
  int family = AF_UNSPEC;
  uint8_t transport = 0;
  uint8_t source[16] = {};
  uint8_t destination[16] = {};
  uint16_t sourcePort = 0;
  uint16_t destinationPort = 0;
  std::string unixSource;       // AF_UNIX only
  std::string unixDestination;
  std::string tlvs;             // the raw TLV area (empty for v1 and for v2 without TLVs)
};

/** One trusted range: an address and a prefix length (IPv4 ranges also match IPv4-mapped IPv6 peers). */
struct TrustedRange {
  int family = AF_INET;
  uint8_t bits = 0;
  uint8_t address[16] = {};
};

/** A listener's PROXY mode: the header is required, from peers in `trusted` (empty: from any peer). */
struct ProxyPolicy {
  std::vector<TrustedRange> trusted;
  bool unixTrusted = false;  // 'unix:' in the list: peers of an AF_UNIX listener (nginx's set_real_ip_from unix:)
};

/** Parses 'a.b.c.d', 'a.b.c.d/n', 'v6', 'v6/n' or 'unix:' into policy; false for anything else. */
bool addTrustedRange(ProxyPolicy* policy, const char* text);
/** Whether the peer accept4 reported may send a PROXY header under policy. */
bool isTrustedPeer(const ProxyPolicy* policy, const sockaddr_storage* peer);
/** startAccepting's proxyProtocol and trustedProxies arguments: *out = a policy (on) or nullptr (off); false when the
 *  list is not an array of range strings (proxy-api.cc). */
bool readProxyPolicy(napi_env env, napi_value on, napi_value trusted, ProxyPolicy** out);

/** The outcome of the PROXY stage on a connection (proxy-stage.cc). */
enum class ProxyStep { waiting, done, failed };

/** Reads and parses t's header: into the turn's buffer (plain TCP) or the TLS layer's ciphertext buffer. On done
 *  the header is recorded on t (t->proxy) and the bytes after it wait in *rest / *restLength: in the turn's buffer
 *  for plain TCP, or fed to the TLS layer (tls->in) for the handshake. t may have no prelude yet (plain TCP, the read
 *  at accept): a header that is not whole then comes back as waiting with its first bytes in *rest / *restLength
 *  (in the turn's buffer, valid until the next read), for the caller to keep once it has started t's prelude. */
ProxyStep stepProxy(LoopState* s, TrackedFd* t, uint8_t** rest, size_t* restLength);
/** Frees what the PROXY layer keeps for t: its header record, its partial header, or a listener's policy. */
void releaseProxy(TrackedFd* t);
/** 'ip:port' or '[ip6]:port' for the address bytes of family (AF_INET or AF_INET6). */
std::string formatEndpoint(int family, const uint8_t* address, uint16_t port);
/** 'ip:port' / '[ip6]:port' of a socket's peer (or its own name), IPv4-mapped shown as IPv4; '' if none (sockopt.cc). */
std::string formatSocketName(int fd, bool peer);
/** 'ip:port' / '[ip6]:port' of the client a PROXY header named for fd, or '' (no header, LOCAL, UNSPEC, UNIX). */
std::string proxiedPeer(LoopState* s, int fd);

}  // namespace sluice
