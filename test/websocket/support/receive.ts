// Runs the receiver conduit over client chunks and collects what comes out, the error if any, and how many chunks
// it pulled (so a test can show that a failure came before later bytes were read).
import { fromIterable, sinkList } from '../../../src/conduit/index.js';
import { WebSocketError } from '../../../src/websocket/close.js';
import { receiveMessages, type Received, type ReceiverOptions } from '../../../src/websocket/messages.js';

/** What a receiver run produced. */
export interface Reception {
  events: Received[];
  error: WebSocketError | null;
  /** Chunks pulled from the input. */
  pulled: number;
}

/** Feeds copies of `chunks` (the receiver unmasks in place) through the receiver; all sync. */
export function receive(chunks: readonly Uint8Array[], options: Partial<ReceiverOptions> = {}): Reception {
  let pulled = 0;
  const events: Received[] = [];
  function* input(): Generator<Uint8Array> {
    for (const c of chunks) {
      pulled++;
      yield Uint8Array.from(c);
    }
  }
  const receiver = receiveMessages({ maxPayloadLength: 1 << 24, decompressor: null, ...options });
  let error: WebSocketError | null = null;
  try {
    const out = fromIterable(input()).pipe(receiver).run(sinkList());
    if (out instanceof Promise) throw new Error('the receiver suspended on a sync input');
    events.push(...out);
  } catch (e) {
    if (!(e instanceof WebSocketError)) throw e;
    error = e;
  }
  return { events, error, pulled };
}
