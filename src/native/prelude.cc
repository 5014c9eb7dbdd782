// The pre-HTTP stages of a connection (prelude.h): the stage steps, and a deadline list swept by one loop timer.
// Native closes a connection that fails or times out here: JS never saw its fd, so no record can name it.
#include "prelude.h"

#include <vector>

#include "proxy.h"
#include "tls.h"

namespace sluice {

// Links t into the list by deadline, from the tail (deadlines mostly arrive in order).
static void linkPrelude(LoopState* s, TrackedFd* t) {
  Prelude* p = t->prelude;
  TrackedFd* after = s->preludeLast;
  while (after != nullptr && after->prelude->deadline > p->deadline) after = after->prelude->prev;
  p->prev = after;
  p->next = after != nullptr ? after->prelude->next : s->preludeFirst;
  if (after != nullptr) after->prelude->next = t;
  else s->preludeFirst = t;
  if (p->next != nullptr) p->next->prelude->prev = t;
  else s->preludeLast = t;
}

static void unlinkPrelude(LoopState* s, TrackedFd* t) {
  Prelude* p = t->prelude;
  if (p->prev != nullptr) p->prev->prelude->next = p->next;
  else s->preludeFirst = p->next;
  if (p->next != nullptr) p->next->prelude->prev = p->prev;
  else s->preludeLast = p->prev;
}

static void onPreludeTimer(uv_timer_t* timer);

// Arms the timer for the earliest deadline (or stops it).
static void armPreludeTimer(LoopState* s) {
  if (s->preludeFirst == nullptr) {
    uv_timer_stop(&s->preludeTimer);
    return;
  }
  uint64_t now = uv_now(s->loop);
  uint64_t deadline = s->preludeFirst->prelude->deadline;
  uv_timer_start(&s->preludeTimer, onPreludeTimer, deadline > now ? deadline - now : 0, 0);
}

// Slowloris before the request: whoever has not finished its prelude by its deadline is closed, silently (nginx).
static void onPreludeTimer(uv_timer_t* timer) {
  LoopState* s = static_cast<LoopState*>(timer->data);
  uint64_t now = uv_now(s->loop);
  while (s->preludeFirst != nullptr && s->preludeFirst->prelude->deadline <= now) {
    if (s->preludeFirst->prelude->stage == STAGE_PROXY) s->proxyCounts.timedOut++;
    forgetFd(s, s->preludeFirst, true);
  }
  armPreludeTimer(s);
}

static void endPrelude(LoopState* s, TrackedFd* t) {
  bool wasFirst = s->preludeFirst == t;
  unlinkPrelude(s, t);
  delete t->prelude;
  t->prelude = nullptr;
  s->preludes--;
  if (wasFirst) armPreludeTimer(s);
}

// A plain TCP connection whose PROXY header is read: open it, with what followed the header as its first data (in
// place in the turn's buffer); with holdSilent, a header that came alone waits for the bytes behind it
// (STAGE_FIRST_BYTES). As at accept, polling waits until JS has seen the batch (accept.cc).
// Announces an open plain connection: EV_ACCEPT, then what followed its PROXY header (in place in the turn's buffer).
static void announcePlain(LoopState* s, TrackedFd* t, int listenFd, uint8_t* rest, size_t restLength) {
  pushEvent(s, t->fd, EV_ACCEPT, listenFd, 0);  // stepProxy kept room for it and the data
  if (restLength > 0) {
    size_t offset = static_cast<size_t>(rest - s->recv);
    pushEvent(s, t->fd, EV_DATA, static_cast<int32_t>(offset), static_cast<int32_t>(restLength));
    s->recvUsed = offset + restLength;
  }
  if (t->mask == 0) {
    t->pollDeferred = true;
    s->deferredPolls.push_back(t->fd);
  }
}

static bool openPlain(LoopState* s, TrackedFd* t, uint8_t* rest, size_t restLength) {
  if (restLength == 0 && t->prelude->holdSilent) {
    t->prelude->stage = STAGE_FIRST_BYTES;
    return true;
  }
  int listenFd = t->prelude->listenFd;
  endPrelude(s, t);
  announcePlain(s, t, listenFd, rest, restLength);
  return false;
}

// STAGE_FIRST_BYTES on readiness: one recv into the turn's buffer. Bytes open the connection (EV_ACCEPT, then EV_DATA,
// in one batch); a client that left (or reset) before sending any is closed here, as nginx does: nothing for JS to
// answer. No room this turn (buffer or events): level-triggered polling reports it again next turn.
static bool stepFirstBytes(LoopState* s, TrackedFd* t) {
  if (!roomForFirstBytes(s)) return true;
  ssize_t n = ::recv(t->fd, s->recv + s->recvUsed, s->recvCap - s->recvUsed, 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return true;
  if (n <= 0) {
    forgetFd(s, t, true);
    return false;
  }
  int listenFd = t->prelude->listenFd;
  endPrelude(s, t);
  pushEvent(s, t->fd, EV_ACCEPT, listenFd, 0);
  pushEvent(s, t->fd, EV_DATA, static_cast<int32_t>(s->recvUsed), static_cast<int32_t>(n));
  s->recvUsed += static_cast<size_t>(n);
  return false;
}

// Runs the current stage as far as the bytes at hand allow. True while t is still in its prelude (poll it);
// false once it was opened (EV_ACCEPT, then its first data) or closed.
static bool advancePrelude(LoopState* s, TrackedFd* t) {
  Handshake h;
  if (t->prelude->stage == STAGE_FIRST_BYTES) return stepFirstBytes(s, t);
  if (t->prelude->stage == STAGE_PROXY) {
    uint8_t* rest = nullptr;
    size_t restLength = 0;
    ProxyStep step = stepProxy(s, t, &rest, &restLength);
    if (step == ProxyStep::waiting) return true;
    if (step == ProxyStep::failed) {
      forgetFd(s, t, true);  // refused silently, as nginx and HAProxy do: the peer is a balancer, not a user
      return false;
    }
    if (t->tls == nullptr) return openPlain(s, t, rest, restLength);
    t->prelude->stage = STAGE_HANDSHAKE;
    if (restLength == 0) return true;  // the ClientHello comes with the next read
    h = feedHandshake(s, t);  // the bytes after the header (tls->in) start the handshake
  } else {
    h = stepHandshake(s, t);
  }
  if (h == Handshake::waiting) return true;
  if (h == Handshake::failed) {
    forgetFd(s, t, true);
    return false;
  }
  int listenFd = t->prelude->listenFd;
  endPrelude(s, t);
  pushEvent(s, t->fd, EV_ACCEPT, listenFd, 0);  // stepHandshake kept room for it and the data behind it
  readFed(s, t);
  return false;
}

int configurePrelude(LoopState* s, TrackedFd* listener, int32_t tlsContext, uint32_t timeoutMs, ProxyPolicy* proxy) {
  int r = useTlsContext(s, listener, tlsContext);
  if (r != 0) {
    delete proxy;
    return r;
  }
  listener->preludeTimeoutMs = timeoutMs;
  delete listener->proxyPolicy;
  listener->proxyPolicy = proxy;
  return 0;
}

// Starts t's prelude at `stage`, under the listener's deadline.
static void enterPrelude(LoopState* s, TrackedFd* listener, TrackedFd* c, uint8_t stage) {
  if (!s->preludeTimerInit) {
    uv_timer_init(s->loop, &s->preludeTimer);
    s->preludeTimer.data = s;
    uv_unref(reinterpret_cast<uv_handle_t*>(&s->preludeTimer));  // the connections' polls keep the loop alive
    s->preludeTimerInit = true;
  }
  Prelude* p = new Prelude();
  p->stage = stage;
  p->listenFd = listener->fd;
  p->holdSilent = listener->holdSilent;
  p->deadline = uv_now(s->loop) + listener->preludeTimeoutMs;
  c->prelude = p;
  s->preludes++;
  linkPrelude(s, c);
  if (s->preludeFirst == c) armPreludeTimer(s);
}

// A plain PROXY listener's new connection. Behind a balancer the header (often with the request behind it) is usually
// in by the time accept4 returns, so it is read before anything is set up for a prelude: a connection opened or
// refused by that read costs no Prelude, no place in the deadline list and no timer update. Otherwise the prelude
// starts where the read left it: no bytes yet, a header split across reads, or (holdSilent) a header that came alone.
static void beginPlainProxy(LoopState* s, TrackedFd* listener, TrackedFd* c) {
  uint8_t* rest = nullptr;
  size_t restLength = 0;
  ProxyStep step = stepProxy(s, c, &rest, &restLength);
  if (step == ProxyStep::failed) {
    forgetFd(s, c, true);  // refused silently, as in advancePrelude
    return;
  }
  if (step == ProxyStep::done && (restLength > 0 || !listener->holdSilent)) {
    announcePlain(s, c, listener->fd, rest, restLength);
    return;
  }
  enterPrelude(s, listener, c, step == ProxyStep::done ? STAGE_FIRST_BYTES : STAGE_PROXY);
  if (step == ProxyStep::waiting && restLength > 0) c->prelude->partial.assign(rest, rest + restLength);
  if (applyMask(c) != 0) forgetFd(s, c, true);
}

void beginPrelude(LoopState* s, TrackedFd* listener, TrackedFd* c) {
  if (listener->proxyPolicy != nullptr && listener->tlsContext == nullptr) {
    beginPlainProxy(s, listener, c);
    return;
  }
  enterPrelude(s, listener, c, listener->proxyPolicy != nullptr ? STAGE_PROXY : STAGE_HANDSHAKE);
  if (listener->tlsContext != nullptr && !attachTls(s, c, listener->tlsContext)) {
    forgetFd(s, c, true);
    return;
  }
  // The PROXY header and the ClientHello usually came with the connection: answer now, then poll for the rest.
  if (advancePrelude(s, c) && applyMask(c) != 0) forgetFd(s, c, true);
}

void holdUntilFirstBytes(LoopState* s, TrackedFd* listener, TrackedFd* c) {
  enterPrelude(s, listener, c, STAGE_FIRST_BYTES);
  if (applyMask(c) != 0) forgetFd(s, c, true);
}

static bool isHeldBy(const TrackedFd* c, int listenFd) {
  return c->prelude->listenFd == listenFd && c->prelude->stage == STAGE_FIRST_BYTES;
}

int countHeld(LoopState* s, int listenFd) {
  int n = 0;
  for (TrackedFd* c = s->preludeFirst; c != nullptr; c = c->prelude->next) n += isHeldBy(c, listenFd) ? 1 : 0;
  return n;
}

std::vector<int> releaseHeld(LoopState* s, int listenFd) {
  std::vector<int> fds;
  for (TrackedFd *c = s->preludeFirst, *next; c != nullptr; c = next) {
    next = c->prelude->next;  // endPrelude unlinks c
    if (!isHeldBy(c, listenFd)) continue;
    endPrelude(s, c);  // still polled for reading: its bytes come as EV_DATA, like any open connection's
    fds.push_back(c->fd);
  }
  return fds;
}

void onPreludeReady(LoopState* s, TrackedFd* t, int status, int events) {
  if (status < 0) {
    if (t->prelude->stage == STAGE_PROXY) s->proxyCounts.aborted++;  // reset before its header was whole
    forgetFd(s, t, true);
    return;
  }
  if ((events & UV_WRITABLE) && t->nativeWrite && drainPending(s, t) < 0) {
    forgetFd(s, t, true);
    return;
  }
  if (events & UV_READABLE) advancePrelude(s, t);
}

// A closed listener's connections still in their prelude are closed too: JS no longer listens for them, and the
// listener's number may soon belong to another listener, which their EV_ACCEPT would then name.
static void closePreludesOf(LoopState* s, int listenFd) {
  std::vector<TrackedFd*> orphans;
  for (TrackedFd* c = s->preludeFirst; c != nullptr; c = c->prelude->next) {
    if (c->prelude->listenFd == listenFd) orphans.push_back(c);
  }
  for (TrackedFd* c : orphans) forgetFd(s, c, true);
}

void releaseStages(LoopState* s, TrackedFd* t, bool closing) {
  if (t->listener) closePreludesOf(s, t->fd);
  if (t->prelude != nullptr) endPrelude(s, t);
  if (t->tls != nullptr) freeTlsConn(s, t, closing);
  if (t->proxy != nullptr || t->proxyPolicy != nullptr) releaseProxy(t);
  if (t->tlsContext != nullptr) {
    releaseTlsContext(t->tlsContext);
    t->tlsContext = nullptr;
  }
}

void teardownStages(LoopState* s) {
  if (s->preludeTimerInit) {
    uv_timer_stop(&s->preludeTimer);
    closeStateHandle(s, reinterpret_cast<uv_handle_t*>(&s->preludeTimer));
    s->preludeTimerInit = false;
  }
  freeTlsState(s);
}

}  // namespace sluice
