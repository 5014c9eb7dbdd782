// The loop's own epoll set: every polled fd (connections, listeners) is registered here, and libuv watches only the
// set itself, through one uv_poll. Key decision: a uv_poll_t per fd cost six syscalls per connection besides the
// readiness itself (uv_poll_init's ADD/DEL probe and FIONBIO, uv_poll_start's failing DEL, libuv's deferred ADD, the
// DEL on uv_close); here a polled connection costs its ADD and the DEL before close(). Level-triggered, as uv_poll
// is: an fd skipped because the turn's buffer is full keeps the set readable, so libuv reports it again next turn.
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "loop-state.h"

namespace sluice {

// Readiness reports taken per wakeup; more stay queued in the (level-triggered) set for the next turn.
constexpr int EPOLL_BATCH = 1024;

static uint64_t keyOf(const TrackedFd* t) {
  return (static_cast<uint64_t>(t->gen) << 32) | static_cast<uint32_t>(t->fd);
}

static void updateLoopRef(LoopState* s) {
  uv_handle_t* h = reinterpret_cast<uv_handle_t*>(&s->epollPoll);
  if (s->refdRegistered > 0) uv_ref(h);
  else uv_unref(h);
}

// Hands one report to its fd's handler with uv_poll's meaning: POLLERR stops the fd and reports an error status;
// HUP wakes whatever it is waiting for; only events it asked for are reported.
static void dispatchOne(LoopState* s, const epoll_event& e) {
  int fd = static_cast<int>(static_cast<uint32_t>(e.data.u64));
  uint32_t gen = static_cast<uint32_t>(e.data.u64 >> 32);
  TrackedFd* t = findFd(s, fd);
  if (t == nullptr || !t->registered) {
    // A registration left behind (the fd was closed behind our back while another reference keeps its file open):
    // this number is registered under no live record, so removing it touches nothing else. As libuv does.
    if (t == nullptr || t->gen != gen) epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, nullptr);
    return;
  }
  if (t->gen != gen) return;  // an earlier record's report, from before this number was closed and reused this turn
  if (e.events & EPOLLERR) {
    setInterest(t, 0);
    t->listener ? onListenReady(t, UV_EBADF, 0) : onConnReady(t, UV_EBADF, 0);
    return;
  }
  int events = 0;
  if (e.events & (EPOLLIN | EPOLLHUP)) events |= UV_READABLE;
  if (e.events & (EPOLLOUT | EPOLLHUP)) events |= UV_WRITABLE;
  events &= t->mask;
  if (events == 0) return;
  t->listener ? onListenReady(t, 0, events) : onConnReady(t, 0, events);
}

static void onSetReady(uv_poll_t* handle, int status, int) {
  LoopState* s = static_cast<LoopState*>(handle->data);
  if (status < 0) return;  // an epoll fd has no error to report
  epoll_event ready[EPOLL_BATCH];
  int n;
  do n = epoll_wait(s->epfd, ready, EPOLL_BATCH, 0);
  while (n < 0 && errno == EINTR);
  for (int i = 0; i < n; i++) dispatchOne(s, ready[i]);
}

int openEpollSet(LoopState* s) {
  s->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (s->epfd < 0) return -errno;
  int r = uv_poll_init(s->loop, &s->epollPoll, s->epfd);
  if (r == 0) r = uv_poll_start(&s->epollPoll, UV_READABLE, onSetReady);
  if (r != 0) {
    ::close(s->epfd);
    s->epfd = -1;
    return r;
  }
  s->epollPoll.data = s;
  updateLoopRef(s);  // unref'd until a ref'd fd is registered
  return 0;
}

// First registration of an fd this layer did not make non-blocking, as uv_poll_init did: refuse an fd that Node's own
// loop already polls (it stays its owner's), and set O_NONBLOCK.
static int adoptForPolling(LoopState* s, TrackedFd* t) {
  uv_loop_t* loop = s->loop;
  if (static_cast<unsigned>(t->fd) < loop->nwatchers && loop->watchers[t->fd] != nullptr) return -EEXIST;
  if (t->nonblocking) return 0;
  int one = 1;
  if (ioctl(t->fd, FIONBIO, &one) != 0) return -errno;
  t->nonblocking = true;
  return 0;
}

int setInterest(TrackedFd* t, int want) {
  LoopState* s = t->state;
  if (want == t->mask) return 0;  // mask != 0 exactly while registered
  if (s->epfd < 0) return -EINVAL;
  if (want == 0) {
    // Removed, not just disarmed: epoll reports ERR and HUP even for an empty interest, and would spin on them.
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, t->fd, nullptr);
    t->registered = false;
    t->mask = 0;
    if (t->ref && --s->refdRegistered == 0) updateLoopRef(s);
    return 0;
  }
  if (!t->everPolled) {
    int r = adoptForPolling(s, t);
    if (r != 0) return r;
  }
  epoll_event e = {};
  e.events = ((want & UV_READABLE) ? EPOLLIN : 0) | ((want & UV_WRITABLE) ? EPOLLOUT : 0);
  e.data.u64 = keyOf(t);
  if (epoll_ctl(s->epfd, t->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, t->fd, &e) != 0) return -errno;
  if (!t->everPolled) {
    t->everPolled = true;
    s->pollsCreated++;
  }
  if (!t->registered) {
    t->registered = true;
    if (t->ref && s->refdRegistered++ == 0) updateLoopRef(s);
  }
  t->mask = want;
  return 0;
}

void dropInterestForClose(TrackedFd* t) {
  LoopState* s = t->state;
  t->registered = false;
  t->mask = 0;
  if (t->ref && --s->refdRegistered == 0) updateLoopRef(s);
}

void setFdRef(TrackedFd* t, bool on) {
  if (t->ref == on) return;
  t->ref = on;
  if (!t->registered) return;
  LoopState* s = t->state;
  s->refdRegistered += on ? 1 : -1;
  if (s->refdRegistered == (on ? 1 : 0)) updateLoopRef(s);
}

void closeEpollSet(LoopState* s) {
  if (s->epfd < 0) return;
  // uv_close first: libuv must drop the fd from its own epoll while the number is still this set.
  closeStateHandle(s, reinterpret_cast<uv_handle_t*>(&s->epollPoll));
  ::close(s->epfd);
  s->epfd = -1;
}

}  // namespace sluice
