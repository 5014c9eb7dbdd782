// Which peers may send a PROXY header: CIDR ranges checked against the address accept4 reported, before anything is
// read (HAProxy's `tcp-request connection reject`, nginx's `allow`/`deny` on a proxy_protocol listener).
// Key decision: IPv4 ranges match IPv4-mapped IPv6 peers, since a dual-stack listener sees IPv4 clients that way.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstdlib>
#include <cstring>

#include "proxy.h"

namespace sluice {

bool addTrustedRange(ProxyPolicy* policy, const char* text) {
  if (std::strcmp(text, "unix:") == 0) {
    policy->unixTrusted = true;
    return true;
  }
  char address[64];
  const char* slash = std::strchr(text, '/');
  size_t length = slash == nullptr ? std::strlen(text) : static_cast<size_t>(slash - text);
  if (length == 0 || length >= sizeof address) return false;
  std::memcpy(address, text, length);
  address[length] = '\0';
  TrustedRange range;
  if (inet_pton(AF_INET, address, range.address) == 1) range.family = AF_INET;
  else if (inet_pton(AF_INET6, address, range.address) == 1) range.family = AF_INET6;
  else return false;
  int max = range.family == AF_INET ? 32 : 128;
  int bits = max;
  if (slash != nullptr) {
    const char* digits = slash + 1;
    size_t n = std::strlen(digits);
    if (n == 0 || n > 3) return false;
    for (size_t i = 0; i < n; i++) {
      if (digits[i] < '0' || digits[i] > '9') return false;
    }
    bits = std::atoi(digits);
    if (bits > max) return false;
  }
  range.bits = static_cast<uint8_t>(bits);
  policy->trusted.push_back(range);
  return true;
}

// The first `bits` bits of a and b are equal.
static bool samePrefix(const uint8_t* a, const uint8_t* b, int bits) {
  int whole = bits / 8;
  if (std::memcmp(a, b, static_cast<size_t>(whole)) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

bool isTrustedPeer(const ProxyPolicy* policy, const sockaddr_storage* peer) {
  if (peer->ss_family == AF_UNIX) return policy->unixTrusted;
  int family;
  const uint8_t* bytes;
  if (peer->ss_family == AF_INET) {
    family = AF_INET;
    bytes = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(peer)->sin_addr);
  } else if (peer->ss_family == AF_INET6) {
    const in6_addr* a = &reinterpret_cast<const sockaddr_in6*>(peer)->sin6_addr;
    bool mapped = IN6_IS_ADDR_V4MAPPED(a);
    family = mapped ? AF_INET : AF_INET6;
    bytes = a->s6_addr + (mapped ? 12 : 0);
  } else {
    return false;
  }
  for (const TrustedRange& range : policy->trusted) {
    if (range.family == family && samePrefix(range.address, bytes, range.bits)) return true;
  }
  return false;
}

}  // namespace sluice
