// Connection readiness (from the loop's epoll set, level-triggered): recv on readability straight into the shared JS buffer.
// Native does the recv on readiness so one turn costs one crossing, not one per ready fd.
#include <fcntl.h>
#include <sys/socket.h>

#include "exports.h"
#include "loop-state.h"
#include "napi-args.h"
#include "prelude.h"
#include "tls.h"

namespace sluice {

// One recv per readiness into the free tail of the turn's buffer. A full buffer or events array skips the fd:
// level-triggered polling reports it again next turn, so nothing is lost.
bool recvOnce(LoopState* s, TrackedFd* t) {
  if (t->tls != nullptr) return recvTls(s, t);  // ciphertext in, plaintext into the same turn's buffer
  if (s->eventCount >= s->eventCap) return false;
  size_t space = s->recvCap - s->recvUsed;
  if (space == 0 || (space < RECV_MIN_SPACE && s->recvUsed > 0)) return false;
  ssize_t n = ::recv(t->fd, s->recv + s->recvUsed, space, 0);
  if (n > 0) {
    pushEvent(s, t->fd, EV_DATA, static_cast<int32_t>(s->recvUsed), static_cast<int32_t>(n));
    s->recvUsed += static_cast<size_t>(n);
    return true;
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return false;  // spurious: normal after readiness
  // EOF or a hard error ends reading; otherwise a level-triggered EOF would be reported every turn.
  pushEvent(s, t->fd, n == 0 ? EV_EOF : EV_ERROR, n == 0 ? 0 : -errno, 0);
  t->reading = false;
  applyMask(t);
  return false;
}

void onConnReady(TrackedFd* t, int status, int events) {
  LoopState* s = t->state;
  if (t->prelude != nullptr) {
    onPreludeReady(s, t, status, events);  // not JS's yet: native finishes (or closes) it first
    return;
  }
  if (status < 0) {
    // Any POLLERR comes as UV_EBADF (as from uv_poll) with the fd already out of the set: fetch the real error.
    if (s->eventCount >= s->eventCap) {
      applyMask(t);  // no room this turn: re-arm, the error is reported next turn
      return;
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err == 0) err = -status;
    pushEvent(s, t->fd, EV_ERROR, -err, 0);
    t->reading = false;  // the handle stays stopped: JS closes the fd
    t->wantWrite = false;
    return;
  }
  // TLS ciphertext the kernel refused earlier leaves first; JS hears EV_WRITABLE only once it is gone.
  bool drained = !(events & UV_WRITABLE) || !t->nativeWrite || drainOnWritable(s, t);
  if ((events & UV_WRITABLE) && t->wantWrite && drained && pushEvent(s, t->fd, EV_WRITABLE, 0, 0)) {
    t->wantWrite = false;  // one-shot: JS asks again after its next EAGAIN
    applyMask(t);
  }
  if ((events & UV_READABLE) && t->reading) recvOnce(s, t);
}

// Shared prologue of the per-fd calls: (fd, flag) -> tracked connection record or an -errno in *err.
static TrackedFd* connFromArgs(napi_env env, napi_callback_info info, bool* flag, int64_t* err) {
  napi_value argv[2];
  void* data;
  readArgs(env, info, argv, &data);
  LoopState* s = static_cast<LoopState*>(data);
  int32_t fd;
  *flag = readBool(env, argv[1]);
  if (!readInt(env, argv[0], &fd)) {
    *err = -EINVAL;
    return nullptr;
  }
  TrackedFd* t = findFd(s, fd);
  if (t == nullptr) *err = -EBADF;
  return t;
}

/* (fd) -> 0 or -errno; tracks fd (if needed) and starts EV_DATA delivery; -EINVAL before init() or on a listener */
napi_value Watch(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void* data;
  readArgs(env, info, argv, &data);
  LoopState* s = static_cast<LoopState*>(data);
  int32_t fd;
  if (!readInt(env, argv[0], &fd) || fd < 0 || !s->initialized) return returnInt(env, -EINVAL);
  TrackedFd* t = findFd(s, fd);
  bool adopted = t == nullptr;
  if (adopted) {
    if (fcntl(fd, F_GETFD) < 0) return returnInt(env, minusErrno());  // not open: don't grow the table for it
    t = trackFd(s, fd);
  }
  if (t->listener) return returnInt(env, -EINVAL);
  t->reading = true;
  int r = applyMask(t);
  if (r != 0 && adopted) forgetFd(s, t, false);  // e.g. EEXIST: someone else polls it; it stays theirs
  return returnInt(env, r);
}

/* (fd, on) -> 0 or -errno; pauses/resumes EV_DATA (backpressure) */
napi_value SetReading(napi_env env, napi_callback_info info) {
  bool on;
  int64_t err = 0;
  TrackedFd* t = connFromArgs(env, info, &on, &err);
  if (t == nullptr) return returnInt(env, err);
  if (t->listener || !t->state->initialized) return returnInt(env, -EINVAL);
  t->reading = on;
  return returnInt(env, applyMask(t));
}

/* (fd) -> 0 or -errno; arms one EV_WRITABLE */
napi_value WantWritable(napi_env env, napi_callback_info info) {
  bool unused;
  int64_t err = 0;
  TrackedFd* t = connFromArgs(env, info, &unused, &err);
  if (t == nullptr) return returnInt(env, err);
  if (t->listener || !t->state->initialized) return returnInt(env, -EINVAL);
  t->wantWrite = true;
  return returnInt(env, applyMask(t));
}

/* (fd, on) -> 0 or -errno; whether fd's handles keep the event loop alive (like net.Server#unref) */
napi_value SetRef(napi_env env, napi_callback_info info) {
  bool on;
  int64_t err = 0;
  TrackedFd* t = connFromArgs(env, info, &on, &err);
  if (t == nullptr) return returnInt(env, err);
  setFdRef(t, on);
  if (t->timerInit) {
    on ? uv_ref(reinterpret_cast<uv_handle_t*>(&t->backoff)) : uv_unref(reinterpret_cast<uv_handle_t*>(&t->backoff));
  }
  return returnInt(env, 0);
}

/* (fd) -> 0, -errno from close(2), or -EBADF when fd is not (or no longer) tracked: closing twice never closes a reused number */
napi_value Close(napi_env env, napi_callback_info info) {
  bool unused;
  int64_t err = 0;
  TrackedFd* t = connFromArgs(env, info, &unused, &err);
  if (t == nullptr) return returnInt(env, err);
  return returnInt(env, forgetFd(t->state, t, true));
}

/* () -> number of fds ever added to the epoll set in this environment (diagnostics and tests) */
Napi::Value PollsCreated(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<LoopState*>(info.Data())->pollsCreated);
}

}  // namespace sluice
