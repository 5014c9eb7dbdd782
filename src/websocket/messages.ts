// The receiver (receiver.ts) as one conduit stage: bytes in, whole messages and control frames out, ending after a
// close frame. Sockets drive a Receiver directly (session.ts); this stage is for conduits, custom protocols and tests.
import { Conduit, Stage, StoppingStage, type Done, type Suspend } from '../conduit/index.js';
import { Receiver, type Received, type ReceiverOptions } from './receiver.js';

export type { CloseReceived, PingPong, Received, ReceiverOptions } from './receiver.js';

const DONE: Done = Symbol.for('sluice.conduit.DONE') as Done;
const SUSPEND: Suspend = Symbol.for('sluice.conduit.SUSPEND') as Suspend;

class ReceiverStage extends StoppingStage<Received> {
  private readonly receiver: Receiver;

  constructor(up: Stage<Uint8Array, unknown>, options: ReceiverOptions) {
    super(up);
    this.receiver = new Receiver().configure(options.maxPayloadLength, options.decompressor, options.masked ?? true);
  }

  pull(): Received | Done | Suspend {
    if (this.stopped) return this.takeHeld() ?? DONE;
    const up = this.up as Stage<Uint8Array, unknown>;
    const receiver = this.receiver;
    for (;;) {
      const out = receiver.next();
      if (out === null) {
        const x = up.pull();
        if (x === SUSPEND || x === DONE) return x;
        receiver.feed(x);
        continue;
      }
      // RFC 6455 §5.5.1: nothing is read after a close frame.
      return typeof out === 'object' && !(out instanceof Uint8Array) && out.kind === 'close' ? this.stop(out) : out;
    }
  }
}

/** Reads WebSocket frames from a byte Source and emits messages and control frames; ends after a close frame. */
export function receiveMessages(options: ReceiverOptions): Conduit<Uint8Array, Received> {
  return new Conduit((up) => new ReceiverStage(up, options));
}
