// A raw WebSocket client for conformance tests: the opening handshake by hand, then any bytes at all (frames a
// well-behaved client would refuse to send), and the server's frames parsed back until it closes the connection.
import { connect, type Socket } from 'node:net';
import { serverFrames, type ServerFrame } from './wire.js';

/** The handshake request for `path` with extra header lines. */
export function handshake(path = '/', extra: Record<string, string> = {}): string {
  const fields = Object.entries(extra).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return `GET ${path} HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${fields}\r\n`;
}

/** An open raw connection after a 101. */
export class RawWebSocket {
  private readonly chunks: Buffer[] = [];
  /** The 101's head, as text. */
  head = '';
  /** Resolves when the server has closed the TCP connection (FIN or reset). */
  readonly ended: Promise<void>;
  private endedFlag = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => this.chunks.push(c));
    socket.on('error', () => undefined);
    this.ended = new Promise((resolve) => socket.once('close', () => {
      this.endedFlag = true;
      resolve();
    }));
  }

  /** Connects, sends the handshake, and waits for the 101 (rejects on any other answer). */
  static async open(port: number, extra: Record<string, string> = {}, path = '/'): Promise<RawWebSocket> {
    const ws = new RawWebSocket(connect(port, '127.0.0.1'));
    ws.socket.write(handshake(path, extra));
    await ws.waitFor(() => Buffer.concat(ws.chunks).includes('\r\n\r\n'), 'the handshake answer');
    const all = Buffer.concat(ws.chunks);
    const end = all.indexOf('\r\n\r\n') + 4;
    ws.head = all.subarray(0, end).toString('latin1');
    ws.chunks.length = 0;
    if (end < all.length) ws.chunks.push(all.subarray(end));
    if (!ws.head.startsWith('HTTP/1.1 101 ')) throw new Error(`no 101: ${ws.head}`);
    return ws;
  }

  /** Writes bytes as they are. */
  send(...bytes: Uint8Array[]): void {
    for (const b of bytes) this.socket.write(b);
  }

  /** Every frame the server sent so far (a frame still arriving is left out). */
  frames(): ServerFrame[] {
    const all = Buffer.concat(this.chunks);
    // Parse only whole frames: cut at the last complete one.
    for (let end = all.length; end >= 0; end--) {
      try {
        return serverFrames(all.subarray(0, end));
      } catch {
        // a frame cut off at `end`: try shorter
      }
    }
    return [];
  }

  /** Waits until the server has sent `n` frames. */
  async frameCount(n: number): Promise<ServerFrame[]> {
    await this.waitFor(() => this.completeFrames() >= n, `${n} frames`);
    return this.frames();
  }

  /** Waits for the server to close the connection; returns every frame it sent. */
  async closed(): Promise<ServerFrame[]> {
    await this.waitFor(() => this.endedFlag, 'the server to close the connection');
    return serverFrames(Buffer.concat(this.chunks));
  }

  /** Whether the server has closed the connection. */
  get isClosed(): boolean {
    return this.endedFlag;
  }

  private completeFrames(): number {
    const all = Buffer.concat(this.chunks);
    let at = 0;
    let n = 0;
    while (at + 2 <= all.length) {
      const len7 = all[at + 1]! & 0x7f;
      const extra = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
      if (at + 2 + extra > all.length) break;
      const len = len7 === 126 ? all.readUInt16BE(at + 2) : len7 === 127 ? Number(all.readBigUInt64BE(at + 2)) : len7;
      if (at + 2 + extra + len > all.length) break;
      at += 2 + extra + len;
      n++;
    }
    return n;
  }

  private async waitFor(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}
