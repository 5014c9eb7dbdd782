// The one description of the native addon's shape (NativeBinding) and its wire layout (event and flush records).
// Every call returns n >= 0 or -errno and never throws on the hot path; sys-error.ts turns -errno into errors. The
// shapes of the TLS and PROXY results are in tls-types.ts and proxy-types.ts, re-exported here.

import type { NativeTlsOptions, NativeTlsStats, NativeTransportInfo } from './tls-types.js';
import type { NativeProxyInfo, NativeProxyParse, NativeProxyStats } from './proxy-types.js';

export * from './tls-types.js';
export * from './proxy-types.js';

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
/**
 * Int32s per flush record: [fd, offset, length, result, next, follows]; native writes result = bytes sent or -errno.
 * next: the index of the same connection's next record in this flush (-1: none), sent with this one in one sendmsg;
 * follows: its position in such a chain (0: heads it or stands alone; native skips the others), or FLUSH_CLOSE on a
 * lone record: close the fd once it is all sent. Native then sends it with MSG_MORE, so the response and the FIN leave
 * in one segment, closes the fd itself, and writes FLUSH_CLOSED there (anything else: the fd is still open).
 */
export const FLUSH_RECORD_INT32 = 6;
/** `follows` of a lone flush record: close its fd in the same call once every byte is sent. */
export const FLUSH_CLOSE = -1;
/** What native writes into `follows` when it closed the record's fd. */
export const FLUSH_CLOSED = -2;
/** Records of one connection chained into one sendmsg at most. */
export const FLUSH_CHAIN_MAX = 64;

/** Every number that both the addon and JS define: loadNative() compares each one with the addon's own export of
 *  that name, so an addon built from other sources fails at load, not mid-request. A new constant goes here. */
export const WIRE_CONSTANTS = {
  EV_NONE,
  EV_DATA,
  EV_EOF,
  EV_ERROR,
  EV_WRITABLE,
  EV_ACCEPT,
  EV_ACCEPT_ERROR,
  EV_INOTIFY,
  EVENT_RECORD_INT32,
  FLUSH_RECORD_INT32,
  FLUSH_CHAIN_MAX,
  FLUSH_CLOSE,
  FLUSH_CLOSED,
} as const satisfies Readonly<Record<string, number>>;

/** EAGAIN's number on Linux: a native call returning -EAGAIN means "not now, wait for readiness". */
export const EAGAIN = 11;

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
  /** getaddrinfo(3), blocking (a cold path: start-up only): the IPv4 and IPv6 addresses `host` resolves to, in the
   *  resolver's order without duplicates, as listen() takes them; or the failure's code name ('ENOTFOUND' for no
   *  such name, 'EAI_AGAIN' for a temporary failure, 'EAI_FAIL', 'ENOMEM', 'EAI_SYSTEM', 'EINVAL'). */
  getaddrinfo(host: string): string[] | string;
  /** Watches a listening fd (own or adopted) and drains accept4 on readiness; each new fd arrives as EV_ACCEPT and
   *  is already read-watched. A ref'd listener keeps the process alive. -EINVAL before init().
   *  With a TLS context id (createTlsContext), each connection is reported only once its handshake is done (EV_ACCEPT,
   *  then its first plaintext in the same batch); one that fails, speaks plain HTTP or exceeds preludeTimeoutMs
   *  (default 10000) is closed natively, unseen. -EINVAL for an unknown id, -ENOBUFS when init()'s recvBuffer is
   *  under 64 KiB (or its events array under 4 records). Calling it again updates every setting.
   *  With proxyProtocol, each connection must start with a PROXY v1 or v2 header, read before anything else (before
   *  the TLS handshake too): it is reported only once the header is read (peerAddress then names the client it
   *  carried). A peer outside trustedProxies ('10.0.0.0/8', '::1', 'unix:'; empty: any) is closed at accept, before a
   *  read; a bad, oversized or missing header, or one not there within preludeTimeoutMs, closes it natively, unseen.
   *  -EINVAL when trustedProxies holds something that is not a range.
   *  With holdSilent, a plain connection that has sent nothing yet is not reported at accept: native polls it and
   *  reports it with its first bytes (EV_ACCEPT, then EV_DATA, in one batch), closes it unseen when its peer leaves
   *  first or when preludeTimeoutMs pass, and closes it when the listener is closed. */
  startAccepting(listenFd: number, tlsContext?: number, preludeTimeoutMs?: number, proxyProtocol?: boolean, trustedProxies?: readonly string[], deferAccept?: boolean, holdSilent?: boolean): number;
  /** Stops accepting; the fd stays open (queued clients wait) until close(). */
  stopAccepting(listenFd: number): number;
  /** Connections of a holdSilent listener that have not sent their first bytes yet (native holds them), or -errno. */
  heldConnections(listenFd: number): number;
  /** Hands a holdSilent listener's held connections to JS: their fds, open and polled for reading from now on (their
   *  first bytes come as EV_DATA). For graceful shutdown, before the listener is closed (which closes held ones). */
  releaseHeld(listenFd: number): number[];
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
  /** recv(2) into buf[offset, offset + length): bytes read, 0 on EOF, or -errno (-EAGAIN: nothing yet).
   *  -EOPNOTSUPP on a TLS connection: its plaintext arrives only as EV_DATA. */
  recv(fd: number, buf: Uint8Array, offset: number, length: number): number;
  /** send(2) with MSG_NOSIGNAL (and MSG_MORE when more): bytes sent (maybe fewer than length) or -errno.
   *  On a TLS connection the bytes are encrypted; the count is plaintext the kernel took. As after any short send,
   *  the caller resubmits the rest first: bytes already encrypted are then acknowledged, not encrypted again. */
  send(fd: number, buf: Uint8Array, offset: number, length: number, more: boolean): number;
  /** sendmsg(2) of whole buffers (at most IOV_MAX per call), MSG_NOSIGNAL (+ MSG_MORE): total bytes sent or -errno. */
  writev(fd: number, bufs: readonly Uint8Array[], more: boolean): number;
  /** sendfile(2) from inFd at offset (a JS number, may exceed 2^32): bytes sent, 0 at/after EOF, or -errno.
   *  On a TLS connection: pread + encrypt + send (at most 1 MiB per call), -EAGAIN when the socket is full. */
  sendfile(outFd: number, inFd: number, offset: number, count: number): number;
  /** Sends `count` [fd, offset, length, result] records of `buf` in one crossing and writes each result (bytes sent,
   *  EAGAIN = 0, or -errno). Returns how many records were not fully sent (-EINVAL on bad arguments); a short
   *  record has already armed wantWritable, so JS only queues the remainder. TLS records are encrypted (as send).
   *  A lone record marked FLUSH_CLOSE closes its tracked fd once all of it is sent (as close() would). */
  flush(buf: Uint8Array, desc: Int32Array, count: number): number;
  /** shutdown(2): SHUT_RD, SHUT_WR or SHUT_RDWR. On a TLS connection close_notify goes out first (and the
   *  shutdown itself once it has left, if the socket is full). */
  shutdown(fd: number, how: number): number;
  /** Stops watching and closes fd. Only fds this layer tracks are closed: a second close (or an unknown fd) returns
   *  -EBADF and never touches a number the kernel has reused meanwhile. An open TLS connection sends close_notify
   *  first (best effort), unless ciphertext is still waiting: then the peer sees a truncation, as it should. */
  close(fd: number): number;
  /** TCP_NODELAY on/off. */
  setNoDelay(fd: number, on: boolean): number;
  /** 1 when TCP_NODELAY is on, 0 when off, or -errno. Accepted sockets inherit it from their listener. Diagnostics. */
  getNoDelay(fd: number): number;
  /** TCP_CORK on/off. */
  setCork(fd: number, on: boolean): number;
  /** 'ip:port' or '[ipv6]:port' of the peer (IPv4-mapped shown as IPv4), or null. Not for the hot path. On a
   *  connection whose PROXY header named a TCP client, that client (proxyInfo(fd).peer is the balancer). */
  peerAddress(fd: number): string | null;
  /** What the connection's PROXY header said, with the TCP peer; null when it had none. Not for the hot path. */
  proxyInfo(fd: number): NativeProxyInfo | null;
  /** PROXY stage outcomes since init() (metrics, leak tests). */
  proxyStats(): NativeProxyStats;
  /** Same as peerAddress, for this end. */
  localAddress(fd: number): string | null;
  /** A non-blocking AF_UNIX stream pair, tracked so close() works, or -errno. For tests. */
  socketpair(): [number, number] | number;
  /** Builds a TLS context from PEM (cold path): its id >= 0. Throws TypeError ERR_INVALID_ARG_TYPE/_VALUE on bad
   *  options, and Error ERR_SLUICE_TLS_CERT, _KEY, _KEY_MISMATCH, _CA (with OpenSSL's reason) on bad PEM. */
  createTlsContext(options: NativeTlsOptions): number;
  /** Drops the registry's reference to a context (0, or -EINVAL for an unknown id); listeners and connections still
   *  using it keep it alive until they are done. */
  freeTlsContext(id: number): number;
  /** Swaps the context a listener gives new connections (-1: plain TCP); open connections keep theirs (reload). */
  setTls(listenFd: number, id: number): number;
  /** Makes `key` (80 bytes, or fresh random bytes when omitted) the session ticket key; the previous key still
   *  resumes (and renews) tickets, older ones no longer do. Share one key across prefork workers for resumption. */
  rotateTicketKeys(key?: Uint8Array): number;
  /** What an open TLS connection negotiated, or null for a plain (or unknown) fd. Not for the hot path. */
  transportInfo(fd: number): NativeTransportInfo | null;
  /** Live native TLS objects (leak tests). */
  tlsStats(): NativeTlsStats;
  /** inotify_add_watch(2) on this environment's inotify instance, made on first use (after init()): a watch descriptor
   *  or -errno (-ENOSPC: fs.inotify.max_user_watches reached; -EMFILE: max_user_instances; -EINVAL before init()).
   *  The path must be valid UTF-8 without NULs. Events arrive as EV_INOTIFY records. */
  inotifyAddWatch(path: string, mask: number): number;
  /** inotify_rm_watch(2): 0 or -errno (an IN_IGNORED record for wd follows). */
  inotifyRmWatch(wd: number): number;
  /** How many fds were ever given a poll handle (a connection served within its accept's turns never gets one). Diagnostics. */
  pollsCreated(): number;
}

/** The addon's pure byte helpers: no fd, no loop state, nothing kept (the WebSocket layer's hot loops). */
export interface NativeBytes {
  /** XORs buf[offset, offset + length) in place with a WebSocket masking key (the 4 wire bytes as a big-endian u32,
   *  RFC 6455 §5.3), starting at key byte maskOffset (0-3): 0, or -EINVAL on bad arguments. */
  unmask(buf: Uint8Array, offset: number, length: number, mask: number, maskOffset: number): number;
  /** Copies src[srcOffset, +length) to dst[dstOffset, +length) XORed with a masking key as unmask() does, in one pass
   *  (a received frame copied out of the receive buffer already unmasked): 0, or -EINVAL on bad arguments or
   *  overlapping views. */
  copyUnmask(src: Uint8Array, srcOffset: number, dst: Uint8Array, dstOffset: number, length: number, mask: number, maskOffset: number): number;
  /** The accept path's PROXY header parser over bytes (tests, fuzzing): a header and its length, need-more for a valid
   *  prefix, or an error code. Throws a TypeError (ERR_INVALID_ARG_TYPE) for anything but a Uint8Array. */
  parseProxyHeader(bytes: Uint8Array): NativeProxyParse;
}

/** The addon's certificate helper (cold, no loop state): for local development. */
export interface NativeCertificates {
  /** A throwaway ECDSA P-256 key and a self-signed certificate for `names` (DNS names or IP addresses; the first is
   *  the CN), valid from an hour ago for `days`: PEM text. Throws ERR_SLUICE_TLS_INIT when OpenSSL fails. */
  createSelfSignedCertificate(names: readonly string[], days: number): { cert: string; key: string };
}

/** The addon's process helper (cold): the CLI's launcher starts itself again with the V8 flags a server wants. */
export interface NativeProcess {
  /** execv(2): replaces this process with `path` run with `argv` (argv[0] included), keeping the pid and the stdio
   *  fds. Returns only when it fails: -errno. Throws a TypeError for anything but a string and a string array. */
  execv(path: string, argv: readonly string[]): number;
}

/** Everything the addon exports: the socket layer, the byte helpers, the certificate and the process helpers. */
export type NativeAddon = NativeBinding & NativeBytes & NativeCertificates & NativeProcess;
