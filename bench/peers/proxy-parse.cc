// PROXY header parse cost, the parser alone (src/native/proxy-parse.cc compiled in): ns per header for the headers
// HAProxy and AWS NLB send. The accept path runs exactly this once per connection, plus one recv it makes anyway.
// Usage: proxy-parse [iterations]. Prints one line per header: name, bytes, ns/parse.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../../src/native/proxy.h"

using namespace sluice;

static double nowNs() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static std::vector<uint8_t> v2Tcp4(bool withTlvs) {
  std::vector<uint8_t> b = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0, 12,
                            127, 0, 0, 2, 127, 0, 0, 1, 0x9c, 0x40, 0x1f, 0x90};
  if (withTlvs) {
    // ALPN "http/1.1" and a 64-byte unique id (AWS NLB sends a VPC endpoint TLV of this order of size).
    const char alpn[] = "http/1.1";
    b.insert(b.end(), {0x01, 0x00, 8});
    b.insert(b.end(), alpn, alpn + 8);
    b.insert(b.end(), {0x05, 0x00, 64});
    b.insert(b.end(), 64, 0xab);
    b[15] = static_cast<uint8_t>(b.size() - 16);
  }
  return b;
}

int main(int argc, char** argv) {
  long iterations = argc > 1 ? std::atol(argv[1]) : 5'000'000;
  std::string v1 = "PROXY TCP4 127.0.0.2 127.0.0.1 40000 8080\r\nGET / HTTP/1.1\r\n";
  std::string v1six = "PROXY TCP6 2001:db8::2 2001:db8::1 40000 443\r\n";
  std::vector<std::pair<const char*, std::vector<uint8_t>>> cases = {
      {"v1-tcp4", std::vector<uint8_t>(v1.begin(), v1.end())},
      {"v1-tcp6", std::vector<uint8_t>(v1six.begin(), v1six.end())},
      {"v2-tcp4", v2Tcp4(false)},
      {"v2-tcp4-tlvs", v2Tcp4(true)},
  };
  for (auto& [name, bytes] : cases) {
    ProxyHeader h;
    ProxyError err = ProxyError::none;
    size_t sink = 0;
    double start = nowNs();
    for (long i = 0; i < iterations; i++) {
      bytes[bytes.size() - 1] ^= static_cast<uint8_t>(i == -1);  // keep the loop from being hoisted
      if (parseProxyHeader(bytes.data(), bytes.size(), &h, &err) != ProxyParse::header) {
        std::fprintf(stderr, "%s: not parsed (%s)\n", name, proxyErrorName(err));
        return 1;
      }
      sink += h.length + h.sourcePort;
    }
    double ns = (nowNs() - start) / iterations;
    std::printf("%s\t%zu\t%.1f\t%zu\n", name, static_cast<size_t>(h.length), ns, sink % 7);
  }
  return 0;
}
