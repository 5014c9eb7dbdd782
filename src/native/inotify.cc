// File-change events: one inotify instance per environment, its events drained into the turn's batch as EV_INOTIFY.
// Drained after the turn's reads and moved ahead of every other record, so a change that completed before a request's
// bytes arrived is in front of that request: JS drops the stale cache entries before it serves anything.
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "exports.h"
#include "loop-state.h"
#include "napi-args.h"

namespace sluice {

// Names of at most NAME_MAX bytes; a read this big takes a few hundred events per syscall.
constexpr size_t INOTIFY_READ_BYTES = 16 * 1024;

// Readiness only flags the instance; the check phase reads it with the rest of the batch (drainInotify).
static void onInotifyReady(uv_poll_t* handle, int status, int events) {
  LoopState* s = static_cast<LoopState*>(handle->data);
  s->inotifyReady = true;
  if (status < 0) uv_poll_stop(handle);  // cannot happen for inotify; never spin on it
}

// The instance is made on first use: a process that caches no file never pays for it (nor for its drain).
static int startInotify(LoopState* s) {
  if (s->inotifyFd >= 0) return 0;
  // One record of the events array stays spare for the overflow mark (see drainInotify), so two are the minimum.
  if (!s->initialized || s->tearingDown || s->eventCap < 2) return -EINVAL;
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return -errno;
  int r = uv_poll_init(s->loop, &s->inotifyPoll, fd);
  if (r != 0) {
    ::close(fd);
    return r;
  }
  s->inotifyPoll.data = s;
  uv_unref(reinterpret_cast<uv_handle_t*>(&s->inotifyPoll));  // watching files never keeps a process alive
  // Readiness only makes an idle process apply changes promptly; the drain after each turn's reads does not need it.
  uv_poll_start(&s->inotifyPoll, UV_READABLE, onInotifyReady);
  s->inotifyFd = fd;
  s->eventCap -= 1;
  return 0;
}

static bool batchHasData(const LoopState* s) {
  for (uint32_t i = 0; i < s->eventCount; i++) {
    if (s->events[static_cast<size_t>(i) * EVENT_RECORD_INT32 + 1] == EV_DATA) return true;
  }
  return false;
}

// One event as a record; its name (when it has one) goes NUL-terminated into the recv buffer. False when out of room.
static bool pushInotifyEvent(LoopState* s, const struct inotify_event* e) {
  if (s->eventCount >= s->eventCap) return false;
  int32_t nameAt = -1;
  if (e->len > 0) {
    size_t length = strnlen(e->name, e->len) + 1;
    if (s->recvCap - s->recvUsed < length) return false;
    nameAt = static_cast<int32_t>(s->recvUsed);
    memcpy(s->recv + s->recvUsed, e->name, length - 1);
    s->recv[s->recvUsed + length - 1] = 0;
    s->recvUsed += length;
  }
  return pushEvent(s, e->wd, EV_INOTIFY, static_cast<int32_t>(e->mask), nameAt);
}

void drainInotify(LoopState* s) {
  if (s->inotifyFd < 0) return;
  // A turn without request bytes serves nothing, so it need not pay the read unless the poll saw events.
  if (!s->inotifyReady && !batchHasData(s)) return;
  s->inotifyReady = false;
  const uint32_t first = s->eventCount;
  const size_t recvBefore = s->recvUsed;
  bool overflow = false;
  alignas(struct inotify_event) char buf[INOTIFY_READ_BYTES];
  for (;;) {
    ssize_t n = ::read(s->inotifyFd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: drained
    for (char* p = buf; p < buf + n;) {
      const struct inotify_event* e = reinterpret_cast<const struct inotify_event*>(p);
      p += sizeof(struct inotify_event) + e->len;
      if (!overflow) overflow = !pushInotifyEvent(s, e);
    }
  }
  if (overflow) {
    // Out of room: the events read so far are replaced by one mark that tells JS to forget every watched entry,
    // written into the spare record kept by startInotify, so it always fits.
    s->eventCount = first;
    s->recvUsed = recvBefore;
    int32_t* r = s->events + static_cast<size_t>(s->eventCount) * EVENT_RECORD_INT32;
    r[0] = -1;
    r[1] = EV_INOTIFY;
    r[2] = IN_Q_OVERFLOW;
    r[3] = -1;
    s->eventCount++;
  }
  if (first > 0 && s->eventCount > first) {
    std::rotate(s->events, s->events + static_cast<size_t>(first) * EVENT_RECORD_INT32,
                s->events + static_cast<size_t>(s->eventCount) * EVENT_RECORD_INT32);
  }
}

/* (path: string, mask) -> watch descriptor >= 0 or -errno; inotify_add_watch(2) on this environment's instance */
napi_value InotifyAddWatch(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  void* data;
  readArgs(env, info, argv, &data);
  LoopState* s = static_cast<LoopState*>(data);
  char path[PATH_MAX];
  size_t length = 0;
  int32_t mask;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length) != napi_ok || !readInt(env, argv[1], &mask)) {
    return returnInt(env, -EINVAL);
  }
  // A path that filled the buffer was cut short: never watch a prefix of it.
  if (length >= sizeof path - 1) return returnInt(env, -ENAMETOOLONG);
  if (strlen(path) != length) return returnInt(env, -EINVAL);  // an embedded NUL
  int r = startInotify(s);
  if (r != 0) return returnInt(env, r);
  int wd = inotify_add_watch(s->inotifyFd, path, static_cast<uint32_t>(mask));
  return returnInt(env, wd < 0 ? minusErrno() : wd);
}

/* (wd) -> 0 or -errno; inotify_rm_watch(2) (an IN_IGNORED record for wd follows) */
napi_value InotifyRmWatch(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void* data;
  readArgs(env, info, argv, &data);
  LoopState* s = static_cast<LoopState*>(data);
  int32_t wd;
  if (!readInt(env, argv[0], &wd)) return returnInt(env, -EINVAL);
  if (s->inotifyFd < 0) return returnInt(env, -EINVAL);
  return returnInt(env, inotify_rm_watch(s->inotifyFd, wd) == 0 ? 0 : minusErrno());
}

}  // namespace sluice
