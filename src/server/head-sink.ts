// Reads one request head from a connection's input: parses in place when a head arrives in one chunk (the common
// case), else accumulates into one growing buffer (amortised doubling, linear) and resumes the scan where it stopped.
// The bytes after the head are pushed back as a leftover: the body or the next pipelined request.
import { inputOf, Sink, Stage, type Done, type Input, type Suspend } from '../conduit/index.js';
import { parseRequestHead, type HeadLimits, type RequestHead } from './request-head.js';

const DONE: Done = Symbol.for('sluice.conduit.DONE') as Done;
const SUSPEND: Suspend = Symbol.for('sluice.conduit.SUSPEND') as Suspend;

class HeadStage extends Stage<never, RequestHead | null> {
  private readonly input: Input<Uint8Array>;
  private buf: Uint8Array | null = null;
  private len = 0;
  private scanFrom = 0;

  constructor(up: Stage<Uint8Array, unknown>, private readonly limits: HeadLimits, private readonly onFirstByte: () => void) {
    super(null);
    this.input = inputOf(up);
    this.up = this.input;
    this.result = null;
  }

  pull(): Done | Suspend {
    for (;;) {
      const x = this.input.pull();
      if (x === SUSPEND) return SUSPEND;
      if (x === DONE) {
        // EOF between requests is an ordinary end; EOF inside a head means the client gave up: also no response.
        return DONE;
      }
      const chunk = x as Uint8Array;
      if (chunk.length === 0) continue;
      let buf: Uint8Array;
      let len: number;
      if (this.buf === null) {
        this.onFirstByte();
        buf = chunk;
        len = chunk.length;
      } else {
        this.append(chunk);
        buf = this.buf;
        len = this.len;
      }
      const r = parseRequestHead(buf, 0, len, this.limits, this.scanFrom);
      if (r.kind === 'head') {
        if (r.consumed < len) this.input.leftover(buf.subarray(r.consumed, len));
        this.result = r.head;
        return DONE;
      }
      if (r.kind === 'error') throw r.error;
      this.scanFrom = r.resumeAt;
      if (this.buf === null) {
        // Keep the first chunk; a second one starts the accumulation buffer.
        this.buf = chunk;
        this.len = chunk.length;
      }
    }
  }

  private append(chunk: Uint8Array): void {
    const need = this.len + chunk.length;
    let buf = this.buf!;
    if (need > buf.length) {
      let cap = Math.max(buf.length * 2, 4096);
      while (cap < need) cap *= 2;
      const grown = Buffer.allocUnsafe(Math.min(cap, this.limits.maxHeaderBytes + chunk.length + 4096));
      grown.set(buf.subarray(0, this.len), 0);
      buf = grown;
      this.buf = grown;
    }
    buf.set(chunk, this.len);
    this.len = need;
  }
}

/** A Sink that reads one request head: the head, or null at a clean EOF; throws RequestError (errors.ts) on a bad head. */
export function headSink(limits: HeadLimits, onFirstByte: () => void = noop): Sink<Uint8Array, RequestHead | null> {
  return new Sink((up) => new HeadStage(up, limits, onFirstByte));
}

function noop(): void {}
