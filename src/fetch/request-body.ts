// request.body: a ReadableStream pulled from the engine's request-body Source, one chunk per pull (highWaterMark 0),
// so an upload is read only as fast as the handler consumes it and never held whole in memory. A read that fails
// because the client went away rejects with the error request.signal aborts with (abort-reason.ts).
import { concatBytes, Puller, type Source } from '../conduit/index.js';
import { clientGoneReason } from './abort-reason.js';

const DONE = Symbol.for('sluice.conduit.DONE');

/** Where a body read failure is explained: the connection's signal (aborted with the reason when the client left). */
export interface BodyErrorContext {
  readonly connectionSignal: AbortSignal;
  /** Called with the error the stream fails with (so the adapter can tell a body failure from an app bug). */
  onError(error: unknown): void;
}

/** Why a body read failed: the connection's reason when the client left, else the error itself (reported). */
function failureOf(error: unknown, ctx: BodyErrorContext): unknown {
  const signal = ctx.connectionSignal;
  const reason = signal.aborted ? clientGoneReason(signal.reason) : error;
  ctx.onError(reason);
  return reason;
}

/** The whole body in one Buffer, read straight from the Source (text()/json() without a stream). */
export function readBody(body: Source<Uint8Array>, ctx: BodyErrorContext): Promise<Buffer> {
  return body.runAsync(concatBytes()).catch((e: unknown) => {
    throw failureOf(e, ctx);
  });
}

/** A pull-based ReadableStream over a request body Source; cancel() stops reading and releases the Source. */
export function bodyStream(body: Source<Uint8Array>, ctx: BodyErrorContext): ReadableStream<Uint8Array> {
  const puller = new Puller(body);
  // A failure caused by the client leaving reads as that (ECONNRESET), not as a truncated-body parse error.
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: unknown): void => controller.error(failureOf(error, ctx));
  const deliver = (controller: ReadableStreamDefaultController<Uint8Array>, x: Uint8Array | typeof DONE): void => {
    if (x === DONE) controller.close();
    else controller.enqueue(x);
  };
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let x: Uint8Array | typeof DONE | Promise<Uint8Array | typeof DONE>;
      try {
        x = puller.next() as Uint8Array | typeof DONE | Promise<Uint8Array | typeof DONE>;
      } catch (e) {
        fail(controller, e);
        return;
      }
      if (!(x instanceof Promise)) return deliver(controller, x);
      return x.then((v) => deliver(controller, v), (e: unknown) => fail(controller, e));
    },
    cancel() {
      return puller.close();
    },
  }, { highWaterMark: 0 });
}
