// Line splitting over byte chunks: split on LF, strip one CR before it (RFC 9112 §2.2 lets a recipient accept a bare LF).
// Linear in input size: each byte is scanned once and a line that spans chunks is copied once, when it completes.
import { Conduit } from './pipeline.js';
import { Stage } from './stage.js';
import { ConduitError } from './errors.js';
import { joinBytes } from './bytes.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;

const LF = 0x0a;
const CR = 0x0d;

type Bytes = Uint8Array;

class LinesStage extends Stage<Bytes, void> {
  /** The pieces of a line that spans chunks (views, not copies) and their total length. */
  private pieces: Bytes[] = [];
  private partial = 0;
  /** The chunk being split and where the next line starts in it. */
  private buf: Bytes | null = null;
  private pos = 0;
  private ended = false;

  constructor(up: Stage<Bytes, unknown>, private readonly max: number) {
    super(up);
  }

  pull(): Bytes | S.Done | S.Suspend {
    if (this.ended) return DONE;
    for (;;) {
      const buf = this.buf;
      if (buf !== null) {
        const i = buf.indexOf(LF, this.pos);
        if (i >= 0) return this.completeLine(buf, i);
        const rest = this.pos === 0 ? buf : buf.subarray(this.pos);
        this.buf = null;
        if (rest.length !== 0) this.addPiece(rest);
      }
      const x = (this.up as Stage<Bytes, unknown>).pull();
      if (x === SUSPEND) return SUSPEND;
      if (x === DONE) return this.finalLine();
      this.buf = x;
      this.pos = 0;
    }
  }

  private addPiece(piece: Bytes): void {
    this.pieces.push(piece);
    this.partial += piece.length;
    // +1: the line's last byte may be the CR of a CRLF that is stripped; anything longer can fail now (bounded memory).
    if (this.partial > this.max + 1) throw tooLong(this.max);
  }

  private completeLine(buf: Bytes, lf: number): Bytes {
    let line = buf.subarray(this.pos, lf);
    this.pos = lf + 1;
    if (this.pos === buf.length) this.buf = null;
    if (this.partial !== 0) {
      this.pieces.push(line);
      line = joinBytes(this.pieces, this.partial + line.length);
      this.pieces = [];
      this.partial = 0;
    }
    if (line.length !== 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length > this.max) throw tooLong(this.max);
    return line;
  }

  private finalLine(): Bytes | S.Done {
    this.ended = true;
    if (this.partial === 0) return DONE;
    // A last line without LF is still a line (its bytes are not dropped); a lone CR at the very end is kept.
    const line = joinBytes(this.pieces, this.partial);
    this.pieces = [];
    this.partial = 0;
    if (line.length > this.max) throw tooLong(this.max);
    return line;
  }
}

function tooLong(max: number): ConduitError {
  return new ConduitError('LINE_TOO_LONG', `a line is longer than ${max} bytes`);
}

/** Splits bytes into lines (LF, with one CR before it stripped); unbounded: a line is buffered whatever its length. */
export function lines(): Conduit<Bytes, Bytes> {
  return new Conduit((up) => new LinesStage(up, Infinity));
}

/** Like lines(), but a line longer than max bytes (terminator excluded) fails with ConduitError 'LINE_TOO_LONG'. */
export function boundedLines(max: number): Conduit<Bytes, Bytes> {
  return new Conduit((up) => new LinesStage(up, max));
}
