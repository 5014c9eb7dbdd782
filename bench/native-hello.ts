// Hello server written directly on the native layer (no HTTP engine): the floor for what Sluice's JS can add to.
// One JS call per loop turn; responses for every ready connection are copied into one buffer and sent by one flush().
// With TLS_CERT and TLS_KEY (PEM files) it serves HTTPS through the addon's TLS: the same JS, plaintext both ways.
import { readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import {
  EVENT_RECORD_INT32,
  EV_ACCEPT,
  EV_ACCEPT_ERROR,
  EV_DATA,
  EV_EOF,
  EV_ERROR,
  EV_WRITABLE,
  FLUSH_RECORD_INT32,
  checkResult,
  loadNative,
  nameErrno,
} from '../src/native/index.js';

const { EAGAIN } = constants.errno;
const PORT = Number(process.env.PORT ?? 8080);
const HOST = process.env.HOST ?? '127.0.0.1';
const EVENT_RECORDS = 4096;
const MAX_FDS = 1 << 16;
const CR = 13;
const LF = 10;
const CLOSE_TAIL = Buffer.from('onnection: close'); // after a 'c'/'C' at a line start, compared case-insensitively

const native = loadNative();
const events = new Int32Array(EVENT_RECORDS * EVENT_RECORD_INT32);
const recvBuffer = new Uint8Array(1 << 20);
const out = new Uint8Array(1 << 20);
const desc = new Int32Array(EVENT_RECORDS * FLUSH_RECORD_INT32);
// Per-fd state in flat arrays (no object per connection): progress through "\r\n\r\n", and close-after-send.
const match = new Uint8Array(MAX_FDS);
const closing = new Uint8Array(MAX_FDS);
const pending = new Map<number, Uint8Array>(); // unsent bytes of fds that hit a full socket

let keepAlive = Buffer.alloc(0);
let close = Buffer.alloc(0);
function renderResponses(): void {
  const head = `HTTP/1.1 200 OK\r\nServer: n\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n`;
  keepAlive = Buffer.from(`${head}\r\nHello, World!`);
  close = Buffer.from(`${head}Connection: close\r\n\r\nHello, World!`);
}
renderResponses();
setInterval(renderResponses, 1000).unref();

let outLength = 0;
let records = 0;
const countResumed = process.env.TLS_RESUMED_FILE !== undefined;
let accepted = 0;
let resumed = 0;

// Scans one received chunk for complete requests (GET, no body) and appends one response per request.
function answer(fd: number, offset: number, length: number): void {
  let start = outLength;
  let state = match[fd]!;
  let wantsClose = 0;
  const end = offset + length;
  for (let i = offset; i < end; i++) {
    const c = recvBuffer[i]!;
    if (c === CR) {
      state = state === 2 ? 3 : 1;
    } else if (c === LF) {
      if (state === 3) {
        const response = wantsClose ? close : keepAlive;
        if (outLength + response.length > out.length) {
          // A huge pipelined burst: send what is composed so far and reuse the buffer.
          if (outLength > start) addRecord(fd, start, outLength - start);
          flushTurn();
          start = 0;
        }
        out.set(response, outLength);
        outLength += response.length;
        state = 0;
        if (wantsClose) {
          closing[fd] = 1;
          break;
        }
        continue;
      }
      state = state === 1 ? 2 : 0;
    } else {
      if (state === 2 && (c | 0x20) === 0x63 && end - i > CLOSE_TAIL.length && isCloseHeader(i + 1)) wantsClose = 1;
      state = 0;
    }
  }
  match[fd] = state;
  if (outLength > start) addRecord(fd, start, outLength - start);
}

function isCloseHeader(at: number): boolean {
  for (let j = 0; j < CLOSE_TAIL.length; j++) {
    if ((recvBuffer[at + j]! | 0x20) !== (CLOSE_TAIL[j]! | 0x20)) return false;
  }
  return true;
}

function addRecord(fd: number, offset: number, length: number): void {
  const queued = pending.get(fd);
  if (queued !== undefined) {
    // Keep order: bytes behind unsent bytes wait with them.
    pending.set(fd, Buffer.concat([queued, out.subarray(offset, offset + length)]));
    return;
  }
  const base = records * FLUSH_RECORD_INT32;
  desc[base] = fd;
  desc[base + 1] = offset;
  desc[base + 2] = length;
  records++;
}

function closeConnection(fd: number): void {
  native.close(fd);
  match[fd] = 0;
  closing[fd] = 0;
  pending.delete(fd);
}

function flushTurn(): void {
  if (records > 0 && native.flush(out, desc, records) > 0) {
    for (let i = 0; i < records; i++) {
      const base = i * FLUSH_RECORD_INT32;
      const fd = desc[base]!;
      const sent = desc[base + 3]!;
      if (sent < 0) closeConnection(fd);
      else if (sent < desc[base + 2]!) pending.set(fd, out.slice(desc[base + 1]! + sent, desc[base + 1]! + desc[base + 2]!));
    }
  }
  for (let i = 0; i < records; i++) {
    const fd = desc[i * FLUSH_RECORD_INT32]!;
    if (closing[fd] === 1 && !pending.has(fd)) closeConnection(fd);
  }
  records = 0;
  outLength = 0;
}

function sendPending(fd: number): void {
  const queued = pending.get(fd);
  if (queued === undefined) return;
  const sent = native.send(fd, queued, 0, queued.length, false);
  if (sent === queued.length) {
    pending.delete(fd);
    if (closing[fd] === 1) closeConnection(fd);
  } else if (sent >= 0 || sent === -EAGAIN) {
    pending.set(fd, queued.subarray(Math.max(sent, 0)));
    native.wantWritable(fd);
  } else {
    closeConnection(fd);
  }
}

native.init(
  (count) => {
    for (let i = 0; i < count; i++) {
      const base = i * EVENT_RECORD_INT32;
      const fd = events[base]!;
      const kind = events[base + 1]!;
      if (kind === EV_DATA) {
        if (closing[fd] === 0) answer(fd, events[base + 2]!, events[base + 3]!);
      } else if (kind === EV_EOF || kind === EV_ERROR) {
        closeConnection(fd);
      } else if (kind === EV_WRITABLE) {
        sendPending(fd);
      } else if (kind === EV_ACCEPT) {
        match[fd] = 0;
        if (countResumed && native.transportInfo(fd)?.resumed === true) resumed++;
        accepted++;
      } else if (kind === EV_ACCEPT_ERROR) {
        process.stderr.write(`accept: ${nameErrno(events[base + 2]!)}\n`);
      }
    }
    flushTurn();
  },
  events,
  recvBuffer,
);

const tlsContext =
  process.env.TLS_CERT === undefined
    ? -1
    : checkResult(native.createTlsContext({ cert: readFileSync(process.env.TLS_CERT), key: readFileSync(process.env.TLS_KEY ?? '') }), 'createTlsContext');
const listener = checkResult(native.listen(HOST, PORT, 0, process.env.REUSEPORT === '1'), 'listen');
checkResult(native.startAccepting(listener, tlsContext), 'startAccepting');
process.stderr.write(`native-hello listening on ${native.localAddress(listener)}${tlsContext >= 0 ? ' (TLS)' : ''}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // How many TLS connections resumed a session: tells whether a Connection: close load measured full handshakes.
    if (countResumed) writeFileSync(process.env.TLS_RESUMED_FILE!, JSON.stringify({ accepted, resumed }));
    process.exit(0);
  });
}
