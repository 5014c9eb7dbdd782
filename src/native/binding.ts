// The one description of the native addon's shape (NativeBinding) and its wire layout (event and flush records).
// Every call returns n >= 0 or -errno and never throws on the hot path; sys-error.ts turns -errno into errors.

/** Event record kind: void. JS called close(fd) earlier in the same batch, so this record's fd may be reused. */
export const EV_NONE = 0;
/** Event record kind: bytes arrived; a = offset into the recv buffer, b = length (> 0). */
export const EV_DATA = 1;
/** Event record kind: the peer closed its side (recv returned 0); reading has stopped for this fd. */
export const EV_EOF = 2;
/** Event record kind: a = -errno from recv or the poller (e.g. -ECONNRESET); reading has stopped for this fd. */
export const EV_ERROR = 3;
/** Event record kind: fd became writable after wantWritable() (one-shot). */
export const EV_WRITABLE = 4;
/** Event record kind: fd is a new connection (non-blocking, TCP_NODELAY, already read-watched); a = listener fd. */
export const EV_ACCEPT = 5;
/** Event record kind: fd = listener, a = -errno from accept4 (EMFILE...); native backs off and retries by itself. */
export const EV_ACCEPT_ERROR = 6;
/**
 * Event record kind: an inotify event (man 7 inotify). fd = watch descriptor, or -1 when the queue overflowed (forget
 * every watched entry); a = the event's mask (IN_*); b = offset of its NUL-terminated name in the recv buffer, or -1.
 * Drained after the turn's reads and placed before every other record of the batch.
 */
export const EV_INOTIFY = 7;
/** Int32s per event record: [fd, kind, a, b]. */
export const EVENT_RECORD_INT32 = 4;
/** Int32s per flush record: [fd, offset, length, result]; native writes result = bytes sent or -errno. */
export const FLUSH_RECORD_INT32 = 4;

/** shutdown() `how` values (man 2 shutdown). */
export const SHUT_RD = 0;
/** Stop sending: the peer reads EOF after the queued bytes. */
export const SHUT_WR = 1;
/** Stop both directions. */
export const SHUT_RDWR = 2;

// inotify masks (man 7 inotify; the kernel's ABI, <sys/inotify.h>).
/** The file was written (write, truncate, fallocate...). */
export const IN_MODIFY = 0x2;
/** Metadata changed: permissions, timestamps, link count, owner. */
export const IN_ATTRIB = 0x4;
/** A file opened for writing was closed. */
export const IN_CLOSE_WRITE = 0x8;
/** A name was moved out of the watched directory. */
export const IN_MOVED_FROM = 0x40;
/** A name was moved into the watched directory. */
export const IN_MOVED_TO = 0x80;
/** A name was created in the watched directory. */
export const IN_CREATE = 0x100;
/** A name was deleted from the watched directory. */
export const IN_DELETE = 0x200;
/** The watched inode itself was deleted. */
export const IN_DELETE_SELF = 0x400;
/** The watched inode itself was moved. */
export const IN_MOVE_SELF = 0x800;
/** The event queue overflowed (wd = -1): events were lost. */
export const IN_Q_OVERFLOW = 0x4000;
/** The watch is gone (removed, or its inode deleted or unmounted). */
export const IN_IGNORED = 0x8000;
/** inotify_add_watch: fail with ENOTDIR unless the path is a directory. */
export const IN_ONLYDIR = 0x1000000;
/** inotify_add_watch: watch a symlink itself, not its target. */
export const IN_DONT_FOLLOW = 0x2000000;

/** The event kinds that can appear in a record. */
export type NativeEventKind =
  | typeof EV_NONE
  | typeof EV_DATA
  | typeof EV_EOF
  | typeof EV_ERROR
  | typeof EV_WRITABLE
  | typeof EV_ACCEPT
  | typeof EV_ACCEPT_ERROR
  | typeof EV_INOTIFY;

/** The native socket layer (build/Release/sluice_native.node). Consumers take it as a parameter so tests can fake it. */
export interface NativeBinding {
  /** Installs this JS environment's event sink (once; throws ERR_SLUICE_INIT_TWICE after that). Native writes
   *  [fd, kind, a, b] records into `events` and recv()s into `recvBuffer` back to back, then calls onEvents(count) once
   *  per loop turn with count > 0 (from a uv_check, via napi_make_callback with an async context). Records and bytes
   *  are valid only during that call. When either array fills up, the remaining ready fds wait for the next turn.
   *  close(fd) during the call turns the batch's other records for fd into EV_NONE (the number may be reused).
   *  Never transfer or detach these arrays: native keeps their data pointers. */
  init(onEvents: (count: number) => void, events: Int32Array, recvBuffer: Uint8Array): void;
  /** socket + bind + listen with SO_REUSEADDR (and SO_REUSEPORT when asked); returns the listen fd or -errno.
   *  host: numeric only; '' = any (IPv6 dual-stack '::', else 0.0.0.0). The backlog is raised to net.core.somaxconn. */
  listen(host: string, port: number, backlog: number, reusePort: boolean): number;
  /** Watches a listening fd (own or adopted) and drains accept4 on readiness; each new fd arrives as EV_ACCEPT and
   *  is already read-watched. A ref'd listener keeps the process alive. -EINVAL before init(). */
  startAccepting(listenFd: number): number;
  /** Stops accepting; the fd stays open (queued clients wait) until close(). */
  stopAccepting(listenFd: number): number;
  /** Bound port of a socket (for port 0), or -errno. */
  localPort(fd: number): number;
  /** Tracks an fd that did not come from accepting (e.g. socketpair) and starts EV_DATA delivery. -EINVAL before init(). */
  watch(fd: number): number;
  /** Pauses/resumes EV_DATA for fd (backpressure). */
  setReading(fd: number, on: boolean): number;
  /** Asks for one EV_WRITABLE when fd becomes writable (after EAGAIN or a short write). */
  wantWritable(fd: number): number;
  /** Whether fd's handles keep the event loop alive (default true), like net.Server#unref(). */
  setRef(fd: number, on: boolean): number;
  /** recv(2) into buf[offset, offset + length): bytes read, 0 on EOF, or -errno (-EAGAIN: nothing yet). */
  recv(fd: number, buf: Uint8Array, offset: number, length: number): number;
  /** send(2) with MSG_NOSIGNAL (and MSG_MORE when more): bytes sent (maybe fewer than length) or -errno. */
  send(fd: number, buf: Uint8Array, offset: number, length: number, more: boolean): number;
  /** sendmsg(2) of whole buffers (at most IOV_MAX per call), MSG_NOSIGNAL (+ MSG_MORE): total bytes sent or -errno. */
  writev(fd: number, bufs: readonly Uint8Array[], more: boolean): number;
  /** sendfile(2) from inFd at offset (a JS number, may exceed 2^32): bytes sent, 0 at/after EOF, or -errno. */
  sendfile(outFd: number, inFd: number, offset: number, count: number): number;
  /** Sends `count` [fd, offset, length, result] records of `buf` in one crossing and writes each result (bytes sent,
   *  EAGAIN = 0, or -errno). Returns how many records were not fully sent (-EINVAL on bad arguments); a short
   *  record has already armed wantWritable, so JS only queues the remainder. */
  flush(buf: Uint8Array, desc: Int32Array, count: number): number;
  /** shutdown(2): SHUT_RD, SHUT_WR or SHUT_RDWR. */
  shutdown(fd: number, how: number): number;
  /** Stops watching and closes fd. Only fds this layer tracks are closed: a second close (or an unknown fd) returns
   *  -EBADF and never touches a number the kernel has reused meanwhile. */
  close(fd: number): number;
  /** TCP_NODELAY on/off. */
  setNoDelay(fd: number, on: boolean): number;
  /** TCP_CORK on/off. */
  setCork(fd: number, on: boolean): number;
  /** 'ip:port' or '[ipv6]:port' of the peer (IPv4-mapped shown as IPv4), or null. Not for the hot path. */
  peerAddress(fd: number): string | null;
  /** Same as peerAddress, for this end. */
  localAddress(fd: number): string | null;
  /** A non-blocking AF_UNIX stream pair, tracked so close() works, or -errno. For tests. */
  socketpair(): [number, number] | number;
  /** inotify_add_watch(2) on this environment's inotify instance, made on first use (after init()): a watch descriptor
   *  or -errno (-ENOSPC: fs.inotify.max_user_watches reached; -EMFILE: max_user_instances; -EINVAL before init()).
   *  The path must be valid UTF-8 without NULs. Events arrive as EV_INOTIFY records. */
  inotifyAddWatch(path: string, mask: number): number;
  /** inotify_rm_watch(2): 0 or -errno (an IN_IGNORED record for wd follows). */
  inotifyRmWatch(wd: number): number;
  /** How many fds were ever given a poll handle (a connection served within its accept's turns never gets one). Diagnostics. */
  pollsCreated(): number;
}
