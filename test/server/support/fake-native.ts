// A scriptable NativeBinding for engine unit tests: records every call, lets a test decide how much each send
// takes, and delivers event records the way the addon does (records + recv buffer, then onEvents(count)).
import {
  EVENT_RECORD_INT32, FLUSH_RECORD_INT32, type NativeBinding, type NativeProxyInfo, type NativeProxyStats, type NativeTlsStats,
} from '../../../src/native/index.js';

/** One call the fake saw. */
export type NativeCall =
  | { op: 'send'; fd: number; data: string; more: boolean }
  | { op: 'writev'; fd: number; data: string }
  | { op: 'flush'; records: Array<{ fd: number; data: string }> }
  | { op: 'sendfile'; fd: number; inFd: number; offset: number; count: number }
  | { op: 'wantWritable'; fd: number }
  | { op: 'close'; fd: number }
  | { op: 'startAccepting'; fd: number }
  | { op: 'stopAccepting'; fd: number }
  | { op: 'setReading'; fd: number; on: boolean }
  | { op: 'shutdown'; fd: number; how: number };

/** How much of a write the kernel takes: bytes accepted, or a -errno. Default: everything. */
export type Accept = (fd: number, length: number) => number;

/** The fake binding: a NativeBinding plus test controls. */
export class FakeNative implements NativeBinding {
  readonly calls: NativeCall[] = [];
  /** Bytes each fd has been sent, in order, as latin1. */
  readonly wire = new Map<number, string>();
  accept: Accept = (_fd, length) => length;
  private onEvents: ((count: number) => void) | null = null;
  private events: Int32Array | null = null;
  private recvBuffer: Uint8Array | null = null;
  listenResult = 100;
  startAcceptingResult = 0;
  sendfileResult: (count: number) => number = (count) => count;

  init(onEvents: (count: number) => void, events: Int32Array, recvBuffer: Uint8Array): void {
    if (this.onEvents !== null) throw Object.assign(new Error('init twice'), { code: 'ERR_SLUICE_INIT_TWICE' });
    this.onEvents = onEvents;
    this.events = events;
    this.recvBuffer = recvBuffer;
  }

  /** Delivers a batch of events: [fd, kind, a, b] each; DATA payloads are placed in the recv buffer. */
  deliver(records: Array<{ fd: number; kind: number; a?: number; b?: number; data?: string }>): void {
    let off = 0;
    records.forEach((r, i) => {
      const o = i * EVENT_RECORD_INT32;
      let a = r.a ?? 0;
      let b = r.b ?? 0;
      if (r.data !== undefined) {
        const bytes = Buffer.from(r.data, 'latin1');
        this.recvBuffer!.set(bytes, off);
        a = off;
        b = bytes.length;
        off += bytes.length;
      }
      this.events!.set([r.fd, r.kind, a, b], o);
    });
    this.onEvents!(records.length);
  }

  private take(fd: number, bytes: Uint8Array): number {
    const n = this.accept(fd, bytes.length);
    if (n > 0) this.wire.set(fd, (this.wire.get(fd) ?? '') + Buffer.from(bytes.subarray(0, n)).toString('latin1'));
    return n;
  }

  listen(host: string, port: number): number {
    this.listenCalls.push({ host, port });
    return this.listenResultByHost.get(host) ?? this.listenResult;
  }
  /** listen() results for particular hosts (others get listenResult). */
  readonly listenResultByHost = new Map<string, number>();
  /** What getaddrinfo answers per name; an unknown name is ENOTFOUND. */
  readonly resolver = new Map<string, string[] | string>();
  readonly resolved: string[] = [];
  getaddrinfo(host: string): string[] | string {
    this.resolved.push(host);
    return this.resolver.get(host) ?? 'ENOTFOUND';
  }
  readonly listenCalls: Array<{ host: string; port: number }> = [];
  localPortResult = 12345;
  startAccepting(fd: number): number {
    this.calls.push({ op: 'startAccepting', fd });
    return this.startAcceptingResult;
  }
  stopAccepting(fd: number): number {
    this.calls.push({ op: 'stopAccepting', fd });
    return 0;
  }
  /** Connections the fake listener "holds" for their first bytes (holdSilent): counted, and handed over by releaseHeld. */
  held: number[] = [];
  heldConnections(): number {
    return this.held.length;
  }
  releaseHeld(): number[] {
    const fds = this.held;
    this.held = [];
    return fds;
  }
  localPort(): number {
    return this.localPortResult;
  }
  watch(): number {
    return 0;
  }
  setReading(fd: number, on: boolean): number {
    this.calls.push({ op: 'setReading', fd, on });
    return 0;
  }
  wantWritable(fd: number): number {
    this.calls.push({ op: 'wantWritable', fd });
    return 0;
  }
  setRef(): number {
    return 0;
  }
  recv(): number {
    return -11;
  }
  send(fd: number, buf: Uint8Array, offset: number, length: number, more: boolean): number {
    const bytes = buf.subarray(offset, offset + length);
    this.calls.push({ op: 'send', fd, data: Buffer.from(bytes).toString('latin1'), more });
    return this.take(fd, bytes);
  }
  writev(fd: number, bufs: readonly Uint8Array[]): number {
    const bytes = Buffer.concat(bufs);
    this.calls.push({ op: 'writev', fd, data: bytes.toString('latin1') });
    return this.take(fd, bytes);
  }
  sendfile(outFd: number, inFd: number, offset: number, count: number): number {
    this.calls.push({ op: 'sendfile', fd: outFd, inFd, offset, count });
    return this.sendfileResult(count);
  }
  flush(buf: Uint8Array, desc: Int32Array, count: number): number {
    const records: Array<{ fd: number; data: string }> = [];
    let short = 0;
    // A chain (the same fd's later records) goes out in order; after a short one, nothing more for that fd.
    const stopped = new Set<number>();
    for (let d = 0; d < count; d++) {
      const o = d * FLUSH_RECORD_INT32;
      const fd = desc[o]!;
      const bytes = buf.subarray(desc[o + 1]!, desc[o + 1]! + desc[o + 2]!);
      records.push({ fd, data: Buffer.from(bytes).toString('latin1') });
      let n = stopped.has(fd) ? 0 : this.take(fd, bytes);
      if (n !== bytes.length) stopped.add(fd);
      if (n === -11) n = 0;
      desc[o + 3] = n;
      if (n !== bytes.length) {
        short++;
        if (n >= 0) this.wantWritable(fd);
      }
    }
    this.calls.push({ op: 'flush', records });
    return short;
  }
  shutdown(fd: number, how: number): number {
    this.calls.push({ op: 'shutdown', fd, how });
    return 0;
  }
  close(fd: number): number {
    this.calls.push({ op: 'close', fd });
    return 0;
  }
  setNoDelay(): number {
    return 0;
  }
  getNoDelay(): number {
    return 1;
  }
  setCork(): number {
    return 0;
  }
  peerAddress(fd: number): string | null {
    return this.proxied.get(fd)?.source !== undefined ? `${this.proxied.get(fd)!.source!.address}:${this.proxied.get(fd)!.source!.port}` : '127.0.0.1:40000';
  }
  /** PROXY headers by fd, as if native had read them (proxyInfo / peerAddress report them). */
  readonly proxied = new Map<number, NativeProxyInfo>();
  proxyInfo(fd: number): NativeProxyInfo | null {
    return this.proxied.get(fd) ?? null;
  }
  proxyStats(): NativeProxyStats {
    return { proxied: this.proxied.size, local: 0, untrusted: 0, malformed: 0, timedOut: 0, aborted: 0 };
  }
  localAddress(): string | null {
    return '127.0.0.1:12345';
  }
  socketpair(): number {
    return -38;
  }

  pollsCreated(): number {
    return 0;
  }
  // No inotify here: a FileWatch over this fake caches nothing (file-watch tests have their own fake).
  inotifyAddWatch(): number {
    return -38;
  }
  inotifyRmWatch(): number {
    return -22;
  }

  // TLS: the engine does not use it yet; contexts are numbered and connections are plain.
  private tlsContexts = 0;
  createTlsContext(): number {
    return this.tlsContexts++;
  }
  freeTlsContext(): number {
    return 0;
  }
  setTls(): number {
    return 0;
  }
  rotateTicketKeys(): number {
    return 0;
  }
  transportInfo(): null {
    return null;
  }
  tlsStats(): NativeTlsStats {
    return { contexts: this.tlsContexts, connections: 0, preludes: 0, pendingBytes: 0, mallocInUse: -1 };
  }

  /** The calls of one kind. */
  callsOf<K extends NativeCall['op']>(op: K): Array<Extract<NativeCall, { op: K }>> {
    return this.calls.filter((c): c is Extract<NativeCall, { op: K }> => c.op === op);
  }
}

/** Resolves after the current microtask wave and its nextTicks (when the reactor's corked flush has run). */
export function afterFlush(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
