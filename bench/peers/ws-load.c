// WebSocket load client for `npm run bench` (a Node client would be the bottleneck: it would spend more CPU per
// message than the servers it measures). One epoll loop, frames masked once up front (the same bytes are resent),
// echoes compared byte for byte. Modes:
//   echo    CONNS connections to /echo, each sends a SIZE-byte binary message and waits for its echo, again and again
//   publish CONNS subscribers on /sub and one publisher on /pub; each published message must reach every subscriber,
//           and up to WINDOW publishes are in flight
//   idle    CONNS connections to /echo that open and then stay silent (memory per idle WebSocket); prints READY
// Prints `RESULT messages=... bytes=... seconds=... errors=...` (messages: echoes, or deliveries to subscribers).
// Build: cc -O2 -o ws-load ws-load.c. Usage: ws-load MODE PORT CONNS SIZE DURATION_S [WINDOW]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int fd;
  int role;                 // 0 echo, 1 subscriber, 2 publisher
  size_t out_off;           // bytes of the current outgoing frame already sent (out_off == frame_len: none pending)
  unsigned char hdr[14];    // a server frame header being read
  int hdr_len, hdr_need;
  long long payload_left;   // payload bytes of the current incoming frame still to read (-1: reading a header)
  long long payload_pos;
  long long received;       // whole messages received
} conn_t;

static unsigned char *frame, *payload;
static size_t frame_len, size;
static long long messages, bytes_in, errors, published, completed;
static int ep, nconns, window_size = 8;
static int *arrivals;       // per publish sequence (mod ring): subscribers that have it
#define RING 4096

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static void die(const char *what) { fprintf(stderr, "%s: %s\n", what, strerror(errno)); exit(1); }

/** Builds the masked binary frame carrying SIZE bytes of a fixed pattern (RFC 6455 §5.2-5.3). */
static void build_frame(void) {
  payload = malloc(size + 1);
  for (size_t i = 0; i < size; i++) payload[i] = (unsigned char)(i * 31 + 7);
  frame = malloc(size + 14);
  size_t h = 0;
  frame[h++] = 0x82;
  if (size < 126) frame[h++] = 0x80 | (unsigned char)size;
  else if (size <= 0xffff) { frame[h++] = 0x80 | 126; frame[h++] = size >> 8; frame[h++] = size & 0xff; }
  else { frame[h++] = 0x80 | 127; for (int i = 7; i >= 0; i--) frame[h++] = (size >> (8 * i)) & 0xff; }
  unsigned char mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
  memcpy(frame + h, mask, 4); h += 4;
  for (size_t i = 0; i < size; i++) frame[h + i] = payload[i] ^ mask[i & 3];
  frame_len = h + size;
}

/** Connects to PATH and completes the opening handshake (blocking), then makes the socket non-blocking. */
static int open_ws(int port, const char *path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a)) die("connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char req[512];
  int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", path);
  if (send(fd, req, n, MSG_NOSIGNAL) != n) die("send handshake");
  char head[4096]; int got = 0;
  // Byte by byte up to the blank line: nothing after the 101 may be consumed here.
  while (got < (int)sizeof head - 1) {
    ssize_t r = recv(fd, head + got, 1, 0);
    if (r <= 0) die("recv handshake");
    got++;
    if (got >= 4 && memcmp(head + got - 4, "\r\n\r\n", 4) == 0) break;
  }
  head[got] = 0;
  if (strncmp(head, "HTTP/1.1 101", 12) != 0) { fprintf(stderr, "no 101 from %s: %.60s\n", path, head); exit(1); }
  return fd;
}

static void watch(conn_t *c, int out) {
  struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c };
  if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev)) die("epoll_ctl");
}

/** Sends (the rest of) the frame; waits for writability when the kernel takes only part of it. */
static void push(conn_t *c) {
  while (c->out_off < frame_len) {
    ssize_t w = send(c->fd, frame + c->out_off, frame_len - c->out_off, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN) { watch(c, 1); return; }
      die("send");
    }
    c->out_off += (size_t)w;
  }
}

static void start_frame(conn_t *c) { c->out_off = 0; push(c); }

static void publish_more(conn_t *pub) {
  while (pub->out_off == frame_len && published - completed < window_size) {
    arrivals[published % RING] = 0;
    published++;
    start_frame(pub);
  }
}

/** A whole message arrived on c. */
static void on_message(conn_t *c, conn_t *pub, int subscribers) {
  messages++;
  if (c->role == 0) { start_frame(c); return; }
  long long seq = c->received - 1;
  if (++arrivals[seq % RING] == subscribers) { completed++; publish_more(pub); }
}

/** Reads frames from c: headers byte-exact, payloads compared with what was sent. */
static void on_readable(conn_t *c, conn_t *pub, int subscribers, unsigned char *buf, size_t cap) {
  for (;;) {
    ssize_t r = recv(c->fd, buf, cap, 0);
    if (r < 0) { if (errno == EAGAIN) return; die("recv"); }
    if (r == 0) { fprintf(stderr, "the server closed a connection\n"); exit(1); }
    bytes_in += r;
    unsigned char *p = buf; ssize_t len = r;
    while (len > 0) {
      if (c->payload_left < 0) {
        c->hdr[c->hdr_len++] = *p++; len--;
        if (c->hdr_len == 2) {
          int l7 = c->hdr[1] & 0x7f;
          c->hdr_need = 2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0);
          if ((c->hdr[0] & 0x0f) != 0x2 || (c->hdr[1] & 0x80)) { errors++; fprintf(stderr, "unexpected frame %02x %02x\n", c->hdr[0], c->hdr[1]); exit(1); }
        }
        if (c->hdr_len < 2 || c->hdr_len < c->hdr_need) continue;
        long long l = c->hdr[1] & 0x7f;
        if (l == 126) l = (c->hdr[2] << 8) | c->hdr[3];
        else if (l == 127) { l = 0; for (int i = 2; i < 10; i++) l = (l << 8) | c->hdr[i]; }
        if ((size_t)l != size) errors++;
        c->payload_left = l; c->payload_pos = 0; c->hdr_len = 0;
        if (l > 0) continue;
      }
      long long take = len < c->payload_left ? len : c->payload_left;
      if (c->payload_pos + take <= (long long)size && memcmp(p, payload + c->payload_pos, take) != 0) errors++;
      p += take; len -= take; c->payload_left -= take; c->payload_pos += take;
      if (c->payload_left == 0) { c->payload_left = -1; c->received++; on_message(c, pub, subscribers); }
    }
  }
}

static void on_term(int sig) { (void)sig; _exit(0); }

int main(int argc, char **argv) {
  if (argc < 6) { fprintf(stderr, "usage: ws-load echo|publish|idle PORT CONNS SIZE DURATION_S [WINDOW]\n"); return 2; }
  const char *mode = argv[1];
  int port = atoi(argv[2]);
  nconns = atoi(argv[3]); size = (size_t)atoll(argv[4]);
  double duration = atof(argv[5]);
  if (argc > 6) window_size = atoi(argv[6]);
  if (window_size < 1 || window_size > RING) { fprintf(stderr, "WINDOW must be 1-%d\n", RING); return 2; }
  struct rlimit lim;
  // Thousands of idle sockets need more descriptors than the usual soft limit.
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) { lim.rlim_cur = lim.rlim_max; setrlimit(RLIMIT_NOFILE, &lim); }
  build_frame();
  int publish = strcmp(mode, "publish") == 0, idle = strcmp(mode, "idle") == 0;
  if (!publish && !idle && strcmp(mode, "echo") != 0) { fprintf(stderr, "unknown mode %s\n", mode); return 2; }
  ep = epoll_create1(0);
  int total = nconns + (publish ? 1 : 0);
  conn_t *cs = calloc(total, sizeof *cs);
  arrivals = calloc(RING, sizeof *arrivals);
  double t_open = now();
  for (int i = 0; i < total; i++) {
    conn_t *c = &cs[i];
    c->role = publish ? (i < nconns ? 1 : 2) : 0;
    c->fd = open_ws(port, c->role == 1 ? "/sub" : c->role == 2 ? "/pub" : "/echo");
    c->payload_left = -1; c->out_off = frame_len;
    if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK)) die("fcntl");
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev)) die("epoll_ctl add");
  }
  if (idle) {
    printf("READY %d 0 %.0f\n", total, (now() - t_open) * 1000);
    fflush(stdout);
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    for (;;) pause();
  }
  conn_t *pub = publish ? &cs[nconns] : NULL;
  // Subscriptions are made in the servers' open hooks, before or as the 101 leaves; a short pause covers any lag.
  if (publish) usleep(200 * 1000);
  size_t cap = 1 << 20;
  unsigned char *buf = malloc(cap);
  double t0 = now(), end = t0 + duration;
  if (publish) publish_more(pub);
  else for (int i = 0; i < nconns; i++) start_frame(&cs[i]);
  struct epoll_event evs[512];
  while (now() < end) {
    int k = epoll_wait(ep, evs, 512, 100);
    for (int i = 0; i < k; i++) {
      conn_t *c = evs[i].data.ptr;
      if (evs[i].events & EPOLLOUT) {
        push(c);
        if (c->out_off == frame_len) { watch(c, 0); if (c == pub) publish_more(pub); }
      }
      if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c, pub, nconns, buf, cap);
    }
  }
  double el = now() - t0;
  printf("RESULT messages=%lld bytes=%lld seconds=%.3f errors=%lld\n", messages, bytes_in, el, errors);
  return 0;
}
