// Loop state lifecycle: the fd table, handle closing (uv_close + delete callback), and env teardown.
// Teardown uses an async cleanup hook so worker_threads wait for every uv_close callback before the loop closes.
#include "loop-state.h"

#include <unistd.h>

namespace sluice {

static void finishTeardownIfDone(LoopState* s) {
  if (!s->tearingDown || s->pendingCloses > 0) return;
  napi_remove_async_cleanup_hook(s->cleanupHandle);
  delete s;
}

static void onFdHandleClosed(uv_handle_t* handle) {
  TrackedFd* t = static_cast<TrackedFd*>(handle->data);
  LoopState* s = t->state;
  if (--t->openHandles == 0) delete t;
  s->pendingCloses--;
  finishTeardownIfDone(s);
}

static void onCheckClosed(uv_handle_t* handle) {
  LoopState* s = static_cast<LoopState*>(handle->data);
  s->pendingCloses--;
  finishTeardownIfDone(s);
}

void closeStateHandle(LoopState* s, uv_handle_t* handle) {
  handle->data = s;
  s->pendingCloses++;
  uv_close(handle, onCheckClosed);
}

// Env teardown (process exit or worker exit): close every tracked fd and handle, drop the references into JS.
static void onTeardown(napi_async_cleanup_hook_handle handle, void* arg) {
  LoopState* s = static_cast<LoopState*>(arg);
  s->tearingDown = true;
  for (TrackedFd* t : s->fds) {
    if (t != nullptr) forgetFd(s, t, true);
  }
  teardownStages(s);
  closeEpollSet(s);
  if (s->inotifyFd >= 0) {
    // uv_close first: libuv must drop the fd from epoll while the number is still the inotify instance.
    s->pendingCloses++;
    uv_close(reinterpret_cast<uv_handle_t*>(&s->inotifyPoll), onCheckClosed);
    ::close(s->inotifyFd);
    s->inotifyFd = -1;
  }
  if (s->initialized) {
    uv_check_stop(&s->check);
    s->pendingCloses++;
    uv_close(reinterpret_cast<uv_handle_t*>(&s->check), onCheckClosed);
    napi_delete_reference(s->env, s->onEventsRef);
    napi_delete_reference(s->env, s->eventsRef);
    napi_delete_reference(s->env, s->recvRef);
    napi_delete_reference(s->env, s->resourceRef);
    napi_async_destroy(s->env, s->asyncContext);
    s->initialized = false;
  }
  finishTeardownIfDone(s);
}

LoopState* createLoopState(napi_env env) {
  LoopState* s = new LoopState();
  s->env = env;
  napi_get_uv_event_loop(env, &s->loop);  // this env's loop (a worker's own), never uv_default_loop()
  napi_add_async_cleanup_hook(env, onTeardown, s, &s->cleanupHandle);
  return s;
}

TrackedFd* trackFd(LoopState* s, int fd) {
  if (static_cast<size_t>(fd) >= s->fds.size()) s->fds.resize(static_cast<size_t>(fd) * 2 + 64, nullptr);
  // A record still here means someone closed the fd behind our back and the kernel reused the number: drop it.
  if (s->fds[fd] != nullptr) forgetFd(s, s->fds[fd], false);
  TrackedFd* t = new TrackedFd();
  t->state = s;
  t->fd = fd;
  t->gen = ++s->nextGen;
  s->fds[fd] = t;
  return t;
}

// close() inside onEvents: later records of this batch for the fd must not reach whoever reuses the number.
static void voidRecords(LoopState* s, int fd) {
  for (uint32_t i = 0; i < s->eventCount; i++) {
    int32_t* r = s->events + static_cast<size_t>(i) * EVENT_RECORD_INT32;
    if (r[0] == fd && r[1] != EV_INOTIFY) r[1] = EV_NONE;  // an inotify record's fd is a watch descriptor
  }
}

int forgetFd(LoopState* s, TrackedFd* t, bool closeFd) {
  s->fds[t->fd] = nullptr;
  if (s->delivering) voidRecords(s, t->fd);
  releaseStages(s, t, closeFd);  // TLS: close_notify goes out before the close below
  // Out of the epoll set before close(), while the number still means this socket (a connection answered in its
  // first batch was never in it: no syscall).
  if (t->registered) {
    if (closeFd && t->exclusive) dropInterestForClose(t);
    else setInterest(t, 0);
  }
  int result = 0;
  if (closeFd && ::close(t->fd) != 0) result = -errno;
  // One branch per close: empty unless a listener is waiting for a free descriptor.
  if (closeFd && !s->fdStarvedListeners.empty() && !s->tearingDown) resumeFdStarvedListeners(s);
  if (t->timerInit) {
    t->openHandles++;
    s->pendingCloses++;
    uv_close(reinterpret_cast<uv_handle_t*>(&t->backoff), onFdHandleClosed);
  }
  if (t->openHandles == 0) delete t;
  return result;
}

// A deferred fd still waiting, or nullptr: a number JS closed (and maybe reused for a new record) has no flag.
static TrackedFd* stillDeferred(LoopState* s, int fd) {
  TrackedFd* t = findFd(s, fd);
  return t != nullptr && t->pollDeferred ? t : nullptr;
}

void startDeferredPolls(LoopState* s) {
  // Only the poll phase (accepts, preludes) adds to the list; this runs after it.
  for (int fd : s->deferredPolls) {
    TrackedFd* t = stillDeferred(s, fd);
    if (t == nullptr) continue;
    t->pollDeferred = false;
    int r = applyMask(t);
    if (r == 0) continue;
    t->reading = false;
    t->wantWrite = false;
    pushEvent(s, fd, EV_ERROR, r, 0);
  }
  s->deferredPolls.clear();
}

int applyMask(TrackedFd* t) {
  int want;
  if (t->listener) {
    bool backingOff = t->timerInit && uv_is_active(reinterpret_cast<uv_handle_t*>(&t->backoff));
    want = (t->accepting && !backingOff) ? UV_READABLE : 0;
  } else {
    want = (t->reading ? UV_READABLE : 0) | (t->wantWrite || t->nativeWrite ? UV_WRITABLE : 0);
  }
  return setInterest(t, want);
}

}  // namespace sluice
