// The receiving loop: runs the receiver conduit over the bytes that have arrived, hands each message to the session,
// and parks one plain function on io.waitReadable once they are all read. Key decision: an idle socket holds no
// suspended run and no promise (the HTTP/1.1 loop waits the same way), which is most of its memory.
import { Stage, type Done, type Suspend } from '../conduit/index.js';
import type { UpgradedIO } from '../server/index.js';
import { FrameCopier } from './frame-copier.js';
import { receiveMessages, type Received, type ReceiverOptions } from './messages.js';

const DONE: Done = Symbol.for('sluice.conduit.DONE') as Done;
const SUSPEND: Suspend = Symbol.for('sluice.conduit.SUSPEND') as Suspend;

/**
 * What has arrived, as the receiver's upstream. "Nothing yet" is a bare SUSPEND with no promise behind it: only the
 * reader below drives this stage, and it waits with io.waitReadable instead.
 */
class Arrived extends Stage<Uint8Array, void> {
  constructor(private readonly io: UpgradedIO) {
    super(null);
  }

  pull(): Uint8Array | Done | Suspend {
    const x = this.io.read();
    return x === null ? SUSPEND : x;
  }
}

/** What the reader tells the socket it reads for. */
export interface ReaderOwner {
  /** Whether reading should go on (false once the socket is closed). */
  readonly reading: boolean;
  /** One message or control frame. */
  receive(x: Received): void;
  /** Reading is over: the input ended, the owner stopped reading, or `error` (a protocol error, a reset) was thrown. */
  ended(error: unknown): void;
}

/** Reads one socket's frames for its owner, only when bytes are there. */
export class Reader {
  private readonly receiver: Stage<Received, unknown>;
  private readonly resume = (): void => this.pump();

  constructor(private readonly io: UpgradedIO, options: ReceiverOptions, private readonly owner: ReaderOwner) {
    this.receiver = receiveMessages(options).build(new Arrived(io));
    // Large frames are copied once, whole, out of the receive buffer (frame-copier.ts).
    io.receiveWith(new FrameCopier(options.maxPayloadLength));
  }

  /** Reads everything that has arrived; then waits for more, or reports the end. */
  pump(): void {
    const owner = this.owner;
    const receiver = this.receiver;
    try {
      while (owner.reading) {
        const x = receiver.pull();
        if (x === SUSPEND) return this.io.waitReadable(this.resume);
        if (x === DONE) break;
        owner.receive(x);
      }
    } catch (e) {
      return owner.ended(e);
    }
    owner.ended(null);
  }
}
