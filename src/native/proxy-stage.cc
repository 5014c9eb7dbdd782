// The prelude's PROXY stage: read a connection's header (it may come in pieces), check it, keep what it said, and
// leave the bytes after it to the next stage. Key decision: no extra syscall and no copy in the common case: the
// header is parsed where the read put it (the turn's buffer for plain TCP, the TLS layer's ciphertext buffer before
// a handshake), and only a header split across reads is set aside. nginx reads the same way; HAProxy peeks first.
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "prelude.h"
#include "proxy.h"
#include "tls.h"

namespace sluice {

// One recv for the stage. Plain TCP reads into the turn's buffer (what follows the header is the request, reported
// as EV_DATA in place); TLS reads into its ciphertext buffer (what follows is the ClientHello). -EAGAIN: no room in
// this turn, or nothing yet (level-triggered polling comes back).
static ssize_t readSome(LoopState* s, TrackedFd* t, uint8_t** at) {
  if (t->tls != nullptr) return recvPreludeBytes(s, t, at);
  if (s->eventCount + 2 > s->eventCap) return -EAGAIN;  // EV_ACCEPT and EV_DATA
  size_t space = s->recvCap - s->recvUsed;
  if (space == 0 || (space < RECV_MIN_SPACE && s->recvUsed > 0)) return -EAGAIN;
  *at = s->recv + s->recvUsed;
  ssize_t n;
  do n = ::recv(t->fd, *at, space, 0);
  while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : n;
}

static void record(LoopState* s, TrackedFd* t, const ProxyHeader& h) {
  ProxyInfo* info = new ProxyInfo();
  info->version = h.version;
  info->local = h.local;
  info->family = h.family;
  info->transport = h.transport;
  std::memcpy(info->source, h.source, sizeof info->source);
  std::memcpy(info->destination, h.destination, sizeof info->destination);
  info->sourcePort = h.sourcePort;
  info->destinationPort = h.destinationPort;
  if (h.family == AF_UNIX) {
    info->unixSource.assign(reinterpret_cast<const char*>(h.unixSource), strnlen(reinterpret_cast<const char*>(h.unixSource), PROXY_UNIX_PATH));
    info->unixDestination.assign(reinterpret_cast<const char*>(h.unixDestination),
                                 strnlen(reinterpret_cast<const char*>(h.unixDestination), PROXY_UNIX_PATH));
  }
  if (h.tlvLength > 0) info->tlvs.assign(reinterpret_cast<const char*>(h.tlvs), h.tlvLength);
  t->proxy = info;
  if (h.local) s->proxyCounts.local++;
  else s->proxyCounts.proxied++;
}

ProxyStep stepProxy(LoopState* s, TrackedFd* t, uint8_t** rest, size_t* restLength) {
  uint8_t* at = nullptr;
  ssize_t n = readSome(s, t, &at);
  if (n == -EAGAIN || n == -EWOULDBLOCK) return ProxyStep::waiting;
  if (n <= 0) {
    s->proxyCounts.aborted++;  // gone (or reset) before its header was whole: nobody to tell
    return ProxyStep::failed;
  }
  if (t->tls != nullptr) s->tls->inLen = 0;  // the stage owns these bytes until it hands the rest on
  // No prelude yet (the read at accept, prelude.cc): nothing was set aside before this read.
  std::vector<uint8_t>* partial = t->prelude != nullptr ? &t->prelude->partial : nullptr;
  const uint8_t* bytes = at;
  size_t length = static_cast<size_t>(n);
  if (partial != nullptr && !partial->empty()) {
    partial->insert(partial->end(), at, at + n);
    bytes = partial->data();
    length = partial->size();
  }
  ProxyHeader h;
  ProxyError err;
  ProxyParse r = parseProxyHeader(bytes, length, &h, &err);
  if (r == ProxyParse::needMore) {
    // A header split across reads (rare: balancers send it in one write): the parser bounds it (107 / 4096 bytes).
    if (partial == nullptr) {
      *rest = at;  // the caller starts the prelude and keeps these bytes
      *restLength = static_cast<size_t>(n);
    } else if (bytes == at) {  // the first piece; later ones were appended above
      partial->assign(at, at + n);
    }
    return ProxyStep::waiting;
  }
  if (r == ProxyParse::error) {
    s->proxyCounts.malformed++;
    return ProxyStep::failed;
  }
  record(s, t, h);
  *restLength = length - h.length;
  if (bytes == at) {
    *rest = at + h.length;
  } else {
    // The header began in an earlier read, so it took more of `partial` than the older bytes: the rest is shorter
    // than this read and fits where it landed.
    std::memcpy(at, partial->data() + h.length, *restLength);
    *rest = at;
    std::vector<uint8_t>().swap(*partial);
  }
  if (t->tls != nullptr) {
    s->tls->in = *rest;
    s->tls->inLen = *restLength;
  }
  return ProxyStep::done;
}

void releaseProxy(TrackedFd* t) {
  delete t->proxy;
  t->proxy = nullptr;
  delete t->proxyPolicy;
  t->proxyPolicy = nullptr;
}

std::string formatEndpoint(int family, const uint8_t* address, uint16_t port) {
  char text[INET6_ADDRSTRLEN];
  inet_ntop(family, address, text, sizeof text);
  if (family == AF_INET6) return "[" + std::string(text) + "]:" + std::to_string(port);
  return std::string(text) + ":" + std::to_string(port);
}

std::string proxiedPeer(LoopState* s, int fd) {
  TrackedFd* t = findFd(s, fd);
  if (t == nullptr || t->proxy == nullptr) return "";
  const ProxyInfo* p = t->proxy;
  if (p->family != AF_INET && p->family != AF_INET6) return "";
  return formatEndpoint(p->family, p->source, p->sourcePort);
}

}  // namespace sluice
