// Per-environment state: the event sink installed by init(), the table of tracked fds, and their libuv handles.
// One LoopState per napi_env (instance data), so every worker_thread has its own loop, sink and table.
#pragma once
#include <node_api.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice {

// Event kinds written into the JS-owned Int32Array.
constexpr int32_t EV_NONE = 0;          // a record voided because JS closed its fd earlier in the same batch
constexpr int32_t EV_DATA = 1;          // a = offset into recvBuffer, b = length > 0
constexpr int32_t EV_EOF = 2;           // peer closed its side (recv returned 0)
constexpr int32_t EV_ERROR = 3;         // a = -errno from recv or from the poller
constexpr int32_t EV_WRITABLE = 4;      // fd became writable after wantWritable()
constexpr int32_t EV_ACCEPT = 5;        // fd = new connection, a = listener fd
constexpr int32_t EV_ACCEPT_ERROR = 6;  // fd = listener, a = -errno (EMFILE...); native backs off by itself
constexpr int32_t EV_INOTIFY = 7;       // fd = watch descriptor (-1: overflow), a = mask, b = name offset or -1 (inotify.cc)
constexpr int32_t EVENT_RECORD_INT32 = 4;  // [fd, kind, a, b]
constexpr int32_t FLUSH_RECORD_INT32 = 6;  // [fd, offset, length, result, next, follows]
// Records of one connection sent in one sendmsg at most (JS starts a new flush before a chain gets longer).
constexpr int FLUSH_CHAIN_MAX = 64;
// `follows` of a lone flush record: close the fd once it is all sent (the FIN rides on the last data segment).
constexpr int32_t FLUSH_CLOSE = -1;
// Written back into `follows` when native closed the fd.
constexpr int32_t FLUSH_CLOSED = -2;

// Don't start a recv into less than this much space once the buffer is in use: the fd is reported again next turn.
constexpr size_t RECV_MIN_SPACE = 4096;
// accept4() calls per listener wakeup; bounded so one busy listener cannot starve established connections.
constexpr int ACCEPT_BATCH_MAX = 1024;
// EMFILE/ENFILE backoff: the listener stops polling for this long, doubling up to the max.
constexpr uint64_t ACCEPT_BACKOFF_MIN_MS = 10;
constexpr uint64_t ACCEPT_BACKOFF_MAX_MS = 500;

struct LoopState;
struct Prelude;     // prelude.h: a connection's pre-HTTP stage
struct ProxyInfo;   // proxy.h: what a connection's PROXY header said
struct ProxyPolicy; // proxy.h: a listener's PROXY mode (trusted ranges)
struct TlsConn;     // tls.h: a connection's TLS state
struct TlsContext;  // tls.h: certificates and settings new connections start from
struct TlsState;    // tls.h: the loop's TLS buffers, contexts and ticket keys

/** One fd the layer created or adopted. Its timer (if any) is closed through uv_close and freed in the close callback. */
struct TrackedFd {
  LoopState* state;
  int fd;
  uint32_t gen = 0;         // tells this record from an earlier one of the same fd number in epoll's reports
  bool listener = false;    // readiness means accept4, not recv
  bool registered = false;  // in the loop's epoll set (with `mask`), so it must be removed before close
  bool everPolled = false;  // registered at least once (pollsCreated; the one-time O_NONBLOCK / libuv checks)
  bool nonblocking = false; // made with O_NONBLOCK by this layer (accept4, socket): no FIONBIO needed
  bool timerInit = false;   // `backoff` has been uv_timer_init'ed and must be uv_close'd
  bool reading = false;     // deliver EV_DATA on readability
  bool wantWrite = false;   // deliver one EV_WRITABLE on writability
  bool accepting = false;   // listener: accept on readability
  bool holdSilent = false;  // listener: a plain connection is announced with its first bytes (prelude.cc)
  bool ref = true;          // handles keep the loop alive
  bool pollDeferred = false;  // just accepted: not polled yet (see startDeferredPolls)
  bool exclusive = false;   // accepted here and never shared: close(2) alone takes it out of the epoll set
  bool nativeWrite = false;   // native has bytes of its own to send (TLS ciphertext): poll for writability
  int mask = 0;             // UV_READABLE | UV_WRITABLE the fd is registered for in the epoll set (0 = not registered)
  int openHandles = 0;      // handles still waiting for their close callback
  uint64_t backoffMs = 0;   // current EMFILE backoff (0 = none)
  uint64_t stoppedAtTurn = 0;  // listener: the turn its accept loop last stopped after one connection (accept.cc)
  Prelude* prelude = nullptr;        // connection still in a pre-HTTP stage (not reported to JS yet)
  TlsConn* tls = nullptr;            // connection speaking TLS (nullptr = plain TCP)
  TlsContext* tlsContext = nullptr;  // listener: the context new connections get (nullptr = plain TCP)
  uint32_t preludeTimeoutMs = 0;     // listener: how long a new connection may take to open
  ProxyPolicy* proxyPolicy = nullptr;  // listener: PROXY header required (nullptr = off)
  ProxyInfo* proxy = nullptr;          // connection: what its PROXY header said (nullptr = none)
  uv_timer_t backoff;
};

/** PROXY stage outcomes since init (proxyStats): headers accepted, and connections closed, by reason. */
struct ProxyCounters {
  double proxied = 0;    // a PROXY header (v1, or v2 PROXY) opened the connection
  double local = 0;      // a v2 LOCAL header (the balancer's health check) opened it
  double untrusted = 0;  // the peer is outside the trusted ranges: closed at accept, before any read
  double malformed = 0;  // bad, truncated-then-wrong, or oversized header, or no header at all
  double timedOut = 0;   // the header did not arrive within the prelude deadline
  double aborted = 0;    // the peer closed or reset before its header was whole
};

/** Everything one JS environment owns. */
// A syscall that only sometimes pays (accept.cc: the read at accept, the accept4 after a wakeup's first): a saturating
// score of its recent outcomes says whether to try it; while the score says no, one chance in 16 still tries, so a
// change in load shows.
struct Hunch {
  int8_t score = 0;   // -8..8: >= 0 means worth trying
  uint8_t skipped = 0;  // counts the tries skipped
  bool worthTrying() { return score >= 0 || (++skipped & 15) == 0; }
  void record(bool paid) { score = static_cast<int8_t>(paid ? (score < 8 ? score + 1 : 8) : (score > -8 ? score - 1 : -8)); }
};

struct LoopState {
  napi_env env = nullptr;
  uv_loop_t* loop = nullptr;
  bool initialized = false;   // init() was called
  bool tearingDown = false;   // the env cleanup hook has started
  bool delivering = false;    // onEvents is running: the batch's records are live
  uv_check_t check;
  napi_ref onEventsRef = nullptr;
  napi_ref eventsRef = nullptr;
  napi_ref recvRef = nullptr;
  napi_ref resourceRef = nullptr;
  napi_async_context asyncContext = nullptr;
  napi_async_cleanup_hook_handle cleanupHandle = nullptr;
  int32_t* events = nullptr;    // cached data pointer of the init()-time Int32Array (held by eventsRef)
  uint32_t eventCap = 0;        // records that fit
  uint32_t eventCount = 0;      // records written this turn
  uint8_t* recv = nullptr;      // cached data pointer of the init()-time Uint8Array (held by recvRef)
  size_t recvCap = 0;
  size_t recvUsed = 0;
  int pendingCloses = 0;        // uv_close calls still waiting for their callback
  double pollsCreated = 0;      // fds ever added to the epoll set (diagnostics: pollsCreated())
  int epfd = -1;                // the epoll set of every polled fd (epoll-set.cc); -1 before init()
  uv_poll_t epollPoll;          // libuv's one handle on epfd: ref'd while a ref'd fd is registered
  int refdRegistered = 0;       // registered fds with ref = true
  uint32_t nextGen = 0;         // TrackedFd::gen of the next tracked fd
  Hunch readAtAccept;            // whether the read right after accept4 finds the request (accept.cc)
  uint64_t turn = 0;             // loop turns seen by the check handle (accept.cc: was a listener ready turn after turn?)
  Hunch drainAccepts;            // whether the accept4 after a wakeup's first finds another connection (accept.cc)
  std::vector<int> deferredPolls;  // fds accepted this turn whose polling starts after delivery, if still open
  std::vector<int> fdStarvedListeners;  // listeners backing off after EMFILE/ENFILE: the next fd close resumes them
  std::vector<TrackedFd*> fds;  // indexed by fd number
  uv_timer_t preludeTimer;      // closes connections whose pre-HTTP stage outlived its deadline (prelude.cc)
  bool preludeTimerInit = false;
  TrackedFd* preludeFirst = nullptr;  // connections in a prelude, ordered by deadline
  TrackedFd* preludeLast = nullptr;
  double preludes = 0;          // connections in a prelude now (tlsStats)
  ProxyCounters proxyCounts;    // proxy-stage.cc, prelude.cc, accept.cc
  TlsState* tls = nullptr;      // created with the first TLS context (tls-context.cc)
  int inotifyFd = -1;           // made by the first inotifyAddWatch (inotify.cc); -1 until then
  bool inotifyReady = false;    // its poll saw events this turn: drain even if no request came
  uv_poll_t inotifyPoll;        // unref'd readiness, so a change is applied on the next turn even when idle
};

/** Appends [fd, kind, a, b] to this turn's batch; false when the events array is full. */
inline bool pushEvent(LoopState* s, int32_t fd, int32_t kind, int32_t a, int32_t b) {
  if (s->eventCount >= s->eventCap) return false;
  int32_t* r = s->events + static_cast<size_t>(s->eventCount) * EVENT_RECORD_INT32;
  r[0] = fd;
  r[1] = kind;
  r[2] = a;
  r[3] = b;
  s->eventCount++;
  return true;
}

/** Whether this turn can take a connection's announcement with its first bytes: two records (EV_ACCEPT, EV_DATA) and
 *  RECV_MIN_SPACE of buffer. */
inline bool roomForFirstBytes(const LoopState* s) {
  return s->eventCount + 2 <= s->eventCap && s->recvCap - s->recvUsed >= RECV_MIN_SPACE;
}

/** The tracked record for fd, or nullptr. */
inline TrackedFd* findFd(LoopState* s, int fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= s->fds.size()) return nullptr;
  return s->fds[fd];
}

/** Creates the state for env and registers its cleanup hook. */
LoopState* createLoopState(napi_env env);
/** Starts tracking fd (replacing a stale record left by a close behind our back). */
TrackedFd* trackFd(LoopState* s, int fd);
/** Stops tracking fd: stops and closes its handles; closes the fd itself when closeFd. Returns close()'s result. */
int forgetFd(LoopState* s, TrackedFd* t, bool closeFd);
/** Registers/modifies/removes t in the epoll set so it matches reading/wantWrite (accepting); 0 or -errno. */
int applyMask(TrackedFd* t);

/** The loop's epoll set (epoll-set.cc): created by init(), polled by one uv_poll, closed at teardown. */
int openEpollSet(LoopState* s);
/** Sets t's interest (UV_READABLE | UV_WRITABLE; 0 removes it from the set); 0 or -errno. */
int setInterest(TrackedFd* t, int want);
/** Forgets t's registration without a syscall: its fd is about to be closed and nothing else holds its file. */
void dropInterestForClose(TrackedFd* t);
/** t keeps the loop alive (or not) while it is registered. */
void setFdRef(TrackedFd* t, bool on);
void closeEpollSet(LoopState* s);

/** One recv into the turn's buffer, as on readiness: EV_DATA (true), nothing (EAGAIN, no room), or EV_EOF/EV_ERROR (stops reading). */
bool recvOnce(LoopState* s, TrackedFd* t);
/** After delivery: fds accepted this turn that JS kept open read once more next turn or start polling. */
void startDeferredPolls(LoopState* s);

/** A tracked fd was closed, so one is free: listeners backing off after EMFILE/ENFILE accept again now (accept.cc). */
void resumeFdStarvedListeners(LoopState* s);
/** Frees what the prelude and TLS layers keep for t (prelude.cc); closing: t's fd is about to be closed. */
void releaseStages(LoopState* s, TrackedFd* t, bool closing);
/** Env teardown of the prelude timer and the TLS state, once every fd is forgotten (prelude.cc). */
void teardownStages(LoopState* s);
/** uv_close for a handle embedded in the LoopState: teardown waits for its callback. */
void closeStateHandle(LoopState* s, uv_handle_t* handle);
/** Before delivery: appends the inotify events queued so far, then moves them ahead of the turn's other records. */
void drainInotify(LoopState* s);

/** Readiness of a connection fd and of a listener fd (readiness.cc, accept.cc), as libuv's uv_poll reported it:
 *  status < 0 (the socket has an error; t is no longer registered) or events (UV_READABLE | UV_WRITABLE). */
void onConnReady(TrackedFd* t, int status, int events);
void onListenReady(TrackedFd* t, int status, int events);

}  // namespace sluice
