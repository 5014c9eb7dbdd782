// The pre-HTTP stages of an accepted connection: [PROXY header] -> [TLS handshake] -> [first bytes] -> open (EV_ACCEPT).
// JS learns of a connection only when it is open; until then native alone owns, reads and (on failure) closes it.
#pragma once
#include <cstdint>
#include <vector>

#include "loop-state.h"

namespace sluice {

// Stages, in the order a connection goes through them; a listener decides which ones apply.
constexpr uint8_t STAGE_PROXY = 1;      // the PROXY v1/v2 header (proxy-stage.cc), when the listener requires one
constexpr uint8_t STAGE_HANDSHAKE = 2;  // TLS handshake (tls-read.cc)
constexpr uint8_t STAGE_FIRST_BYTES = 3;  // plain TCP: waiting for the client's first bytes, announced with them
// Deadline of the pre-HTTP stages when startAccepting gets none: slowloris over TLS costs a socket for this long.
constexpr uint32_t PRELUDE_TIMEOUT_DEFAULT_MS = 10000;

/** A connection in a pre-HTTP stage. */
struct Prelude {
  uint8_t stage = STAGE_HANDSHAKE;
  int listenFd = -1;          // reported in EV_ACCEPT once the connection is open
  bool holdSilent = false;    // the listener's: a PROXY header that came alone waits for the bytes behind it
  uint64_t deadline = 0;      // uv_now() ms after which the connection is closed (slowloris before the request)
  TrackedFd* prev = nullptr;  // the loop's prelude list, ordered by deadline
  TrackedFd* next = nullptr;
  std::vector<uint8_t> partial;  // a PROXY header split across reads, so far (empty otherwise)
};

/** Sets which stages a listener's new connections go through (a PROXY policy or nullptr, a TLS context id or -1) and
 *  their deadline; takes the policy. 0 or -errno. */
int configurePrelude(LoopState* s, TrackedFd* listener, int32_t tlsContext, uint32_t timeoutMs, ProxyPolicy* proxy);
/** Starts the pre-HTTP stages of a connection accepted on listener; EV_ACCEPT follows once it is open. */
void beginPrelude(LoopState* s, TrackedFd* listener, TrackedFd* c);
/** Holds a plain connection that has sent nothing yet (polled for its first bytes, closed at the listener's deadline);
 *  EV_ACCEPT comes with those bytes. */
void holdUntilFirstBytes(LoopState* s, TrackedFd* listener, TrackedFd* c);
/** Connections of listenFd held for their first bytes: counted, or (release) handed to JS, which polls them as open
 *  connections from then on (graceful shutdown: a request already on its way is still answered). */
int countHeld(LoopState* s, int listenFd);
std::vector<int> releaseHeld(LoopState* s, int listenFd);
/** The poll callback's work for a connection still in its prelude. */
void onPreludeReady(LoopState* s, TrackedFd* t, int status, int events);

}  // namespace sluice
