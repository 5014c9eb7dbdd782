// Line splitting over byte chunks: split on LF, strip one CR before it (RFC 9112 §2.2 lets a recipient accept a bare LF).
// Linear in input size: each byte is scanned once and a line that spans chunks is copied once, when it completes.
// Nothing pulled is lost: bytes held but not emitted go back upstream as leftovers when the stage fails
// (LINE_TOO_LONG: from the start of the offending line) or is closed early, so the next reader of a shared input sees them.
import { Conduit } from './pipeline.js';
import { inputOf, Stage, type Input } from './stage.js';
import { ConduitError } from './errors.js';
import { joinBytes } from './bytes.js';
import type { Resource } from './finalize.js';
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

  constructor(private readonly input: Input<Bytes>, private readonly max: number) {
    super(input);
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
      const x = this.input.pull();
      if (x === SUSPEND) return SUSPEND;
      if (x === DONE) return this.finalLine();
      this.buf = x;
      this.pos = 0;
    }
  }

  /** Closing early (downstream stopped, or an error): what was pulled and not emitted goes back upstream first. */
  override collect(out: Resource[]): void {
    if (!this.closed && !this.ended) this.giveBack();
    super.collect(out);
  }

  private addPiece(piece: Bytes): void {
    this.pieces.push(piece);
    this.partial += piece.length;
    // +1: the line's last byte may be the CR of a CRLF that is stripped; anything longer can fail now (bounded memory).
    if (this.partial > this.max + 1) this.fail();
  }

  private completeLine(buf: Bytes, lf: number): Bytes {
    let length = this.partial + lf - this.pos;
    if (length !== 0 && (lf > this.pos ? buf[lf - 1] : this.lastPieceByte()) === CR) length--;
    if (length > this.max) this.fail();
    let line = buf.subarray(this.pos, lf);
    this.pos = lf + 1;
    if (this.pos === buf.length) this.buf = null;
    if (this.partial !== 0) {
      this.pieces.push(line);
      line = joinBytes(this.pieces, this.partial + line.length);
      this.pieces = [];
      this.partial = 0;
    }
    return line.length === length ? line : line.subarray(0, length);
  }

  private lastPieceByte(): number | undefined {
    const last = this.pieces[this.pieces.length - 1];
    return last === undefined ? undefined : last[last.length - 1];
  }

  private finalLine(): Bytes | S.Done {
    // A last line without LF is still a line (its bytes are not dropped); a lone CR at the very end is kept.
    if (this.partial > this.max) this.fail();
    this.ended = true;
    if (this.partial === 0) return DONE;
    const line = joinBytes(this.pieces, this.partial);
    this.pieces = [];
    this.partial = 0;
    return line;
  }

  /** LINE_TOO_LONG, after giving back the offending line and everything after it. */
  private fail(): never {
    this.giveBack();
    this.ended = true;
    throw new ConduitError('LINE_TOO_LONG', `a line is longer than ${this.max} bytes`);
  }

  /** Pushes back the unemitted bytes so they are read again in order (the input is a stack: last pushed, first read). */
  private giveBack(): void {
    const input = this.input;
    const buf = this.buf;
    if (buf !== null && this.pos < buf.length) input.leftover(this.pos === 0 ? buf : buf.subarray(this.pos));
    for (let i = this.pieces.length - 1; i >= 0; i--) input.leftover(this.pieces[i]!);
    this.buf = null;
    this.pieces = [];
    this.partial = 0;
  }
}

/** Splits bytes into lines (LF, with one CR before it stripped); unbounded: a line is buffered whatever its length. */
export function lines(): Conduit<Bytes, Bytes> {
  return new Conduit((up) => new LinesStage(inputOf(up), Infinity));
}

/**
 * Like lines(), but a line longer than max bytes (terminator excluded) fails with ConduitError 'LINE_TOO_LONG'.
 * Before failing it pushes the offending line (and the rest of its chunk) back upstream, so a catchError handler or
 * the next consumer of a shared input can skip or read it.
 */
export function boundedLines(max: number): Conduit<Bytes, Bytes> {
  return new Conduit((up) => new LinesStage(inputOf(up), max));
}
