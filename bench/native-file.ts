// File server written directly on the native layer: every request gets FILE (head, then sendfile), over plain TCP
// or, with TLS_CERT/TLS_KEY, the addon's TLS (sendfile on a TLS fd: pread + encrypt + send). For native-tls-compare.
import { fstatSync, openSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { EVENT_RECORD_INT32, EV_DATA, EV_EOF, EV_ERROR, EV_WRITABLE, checkResult, loadNative } from '../src/native/index.js';

const { EAGAIN } = constants.errno;
const PORT = Number(process.env.PORT ?? 8080);
const fileFd = openSync(process.env.FILE ?? '', 'r');
const size = fstatSync(fileFd).size;
const HEAD = Buffer.from(`HTTP/1.1 200 OK\r\nServer: n\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\n\r\n`);

const native = loadNative();
const events = new Int32Array(4096 * EVENT_RECORD_INT32);
const recvBuffer = new Uint8Array(1 << 20);
/** Where each connection's file transfer stands (absent: waiting for a request). */
const sending = new Map<number, number>();

function close(fd: number): void {
  sending.delete(fd);
  native.close(fd);
}

// Sends the file from the connection's position until done or the socket is full (then waits for EV_WRITABLE).
function pump(fd: number): void {
  let pos = sending.get(fd)!;
  while (pos < size) {
    const n = native.sendfile(fd, fileFd, pos, size - pos);
    if (n > 0) pos += n;
    else if (n === -EAGAIN) {
      sending.set(fd, pos);
      native.wantWritable(fd);
      return;
    } else return close(fd);
  }
  sending.delete(fd);
}

function answer(fd: number, offset: number, length: number): void {
  const text = Buffer.from(recvBuffer.subarray(offset, offset + length)).toString('latin1');
  if (!text.endsWith('\r\n\r\n') || sending.has(fd)) return; // one whole GET at a time (curl, wrk)
  if (native.send(fd, HEAD, 0, HEAD.length, true) !== HEAD.length) return close(fd); // an empty socket takes a head
  sending.set(fd, 0);
  pump(fd);
}

native.init(
  (count) => {
    for (let i = 0; i < count; i++) {
      const base = i * EVENT_RECORD_INT32;
      const fd = events[base]!;
      const kind = events[base + 1]!;
      if (kind === EV_DATA) answer(fd, events[base + 2]!, events[base + 3]!);
      else if (kind === EV_WRITABLE && sending.has(fd)) pump(fd);
      else if (kind === EV_EOF || kind === EV_ERROR) close(fd);
    }
  },
  events,
  recvBuffer,
);

const cert = process.env.TLS_CERT;
const tls = cert === undefined ? -1 : checkResult(native.createTlsContext({ cert: readFileSync(cert), key: readFileSync(process.env.TLS_KEY ?? '') }), 'createTlsContext');
const listener = checkResult(native.listen('127.0.0.1', PORT, 0, false), 'listen');
checkResult(native.startAccepting(listener, tls), 'startAccepting');
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
