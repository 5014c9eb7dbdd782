// New-connection load client for bench/proxy-close.ts: CONNS connections at a time, each connects, writes one request
// with `Connection: close` (after a PROXY protocol header in the same write, for v1 or v2, as HAProxy sends it), reads
// until the server closes, and starts over. wrk cannot do this: it refuses a script whose request is not HTTP, and a
// Node client spends more CPU per connection than the servers it measures.
// Prints `RESULT requests=... duration_us=... p99_us=... err_connect=... err_read=... err_write=0 err_status=...
// err_timeout=0` in bench/wrk.ts's format (requests: connections that got a 200 and were closed by the server).
// Build: cc -O2 -o close-load close-load.c. Usage: close-load PORT CONNS DURATION_S [off|v1|v2]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int fd;
  int sent;          // the request has been written
  int ok;            // the response began with a 200 status line
  size_t got;        // response bytes read
  long long began;   // microseconds, at connect
} conn_t;

static const char V1[] = "PROXY TCP4 127.0.0.2 127.0.0.1 40000 8080\r\n";
// Signature, 0x21 (v2, PROXY), 0x11 (TCP over IPv4), length 12, source and destination address, then ports.
static const unsigned char V2[] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11,
                                   0x00, 0x0c, 127, 0, 0, 2, 127, 0, 0, 1, 0x9c, 0x40, 0x1f, 0x90};
static const char REQUEST[] = "GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";

static unsigned char request[256];
static size_t request_len;
static struct sockaddr_in server;
static int ep;
static long long completed, err_connect, err_read, err_status;
static long long *latencies;
static size_t latency_count, latency_cap;

static long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void start(conn_t *c) {
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  c->sent = c->ok = 0;
  c->got = 0;
  c->began = now_us();
  if (c->fd < 0) {
    perror("socket");
    exit(1);
  }
  if (connect(c->fd, (struct sockaddr *)&server, sizeof server) < 0 && errno != EINPROGRESS) {
    err_connect++;
    close(c->fd);
    c->fd = -1;
    return;
  }
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void finish(conn_t *c, long long *error_counter) {
  if (error_counter != NULL) {
    (*error_counter)++;
  } else {
    completed++;
    if (latency_count == latency_cap) {
      latency_cap = latency_cap ? latency_cap * 2 : 1 << 16;
      latencies = realloc(latencies, latency_cap * sizeof *latencies);
    }
    latencies[latency_count++] = now_us() - c->began;
  }
  close(c->fd); // also leaves the epoll set
  start(c);
}

static void on_event(conn_t *c, unsigned events) {
  if (!c->sent && (events & EPOLLOUT)) {
    ssize_t n = send(c->fd, request, request_len, MSG_NOSIGNAL);
    if (n != (ssize_t)request_len) return finish(c, &err_connect);
    c->sent = 1;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
  }
  if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
  for (;;) {
    char buf[4096];
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n > 0) {
      if (c->got == 0) c->ok = n >= 12 && memcmp(buf, "HTTP/1.1 200", 12) == 0;
      c->got += (size_t)n;
      continue;
    }
    if (n == 0) return finish(c, c->got == 0 ? &err_read : c->ok ? NULL : &err_status);
    if (errno == EAGAIN) return;
    return finish(c, c->sent ? &err_read : &err_connect);
  }
}

static int cmp(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: close-load PORT CONNS DURATION_S [off|v1|v2]\n");
    return 2;
  }
  int port = atoi(argv[1]), conns = atoi(argv[2]);
  double seconds = atof(argv[3]);
  const char *mode = argc > 4 ? argv[4] : "off";
  if (strcmp(mode, "v1") == 0) {
    memcpy(request, V1, sizeof V1 - 1);
    request_len = sizeof V1 - 1;
  } else if (strcmp(mode, "v2") == 0) {
    memcpy(request, V2, sizeof V2);
    request_len = sizeof V2;
  } else if (strcmp(mode, "off") != 0) {
    fprintf(stderr, "close-load: unknown PROXY mode %s (off, v1 or v2)\n", mode);
    return 2;
  }
  memcpy(request + request_len, REQUEST, sizeof REQUEST - 1);
  request_len += sizeof REQUEST - 1;
  server.sin_family = AF_INET;
  server.sin_port = htons(port);
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ep = epoll_create1(EPOLL_CLOEXEC);
  conn_t *all = calloc(conns, sizeof *all);
  long long t0 = now_us(), deadline = t0 + (long long)(seconds * 1e6);
  for (int i = 0; i < conns; i++) start(&all[i]);
  struct epoll_event events[256];
  while (now_us() < deadline) {
    int n = epoll_wait(ep, events, 256, 100);
    for (int i = 0; i < n; i++) on_event(events[i].data.ptr, events[i].events);
  }
  long long duration = now_us() - t0;
  qsort(latencies, latency_count, sizeof *latencies, cmp);
  long long p99 = latency_count ? latencies[(size_t)(latency_count * 0.99)] : 0;
  printf("RESULT requests=%lld duration_us=%lld p99_us=%lld err_connect=%lld err_read=%lld err_write=0 err_status=%lld err_timeout=0\n",
         completed, duration, p99, err_connect, err_read, err_status);
  return 0;
}
