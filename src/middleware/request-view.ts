// A request as middleware re-presents it to the app: another method, header fields or body over the same
// connection. Key decision: the view is a real Request (same class, same origin and signal), so apps cannot tell.
import type { Source } from '../conduit/index.js';
import { type RequestHead, Request } from '../server/index.js';

/** What to change in the view. */
export interface RequestChanges {
  /** Another method (autohead: HEAD -> GET). */
  readonly method?: string;
  /** Header fields to drop (lower-case), from the field list and the index (content-encoding, content-length). */
  readonly dropFields?: readonly ('content-encoding' | 'content-length')[];
  /** Another body. */
  readonly body?: Source<Uint8Array>;
}

/** A Request like `req` with the changes applied; the original is left untouched. */
export function viewRequest(req: Request, changes: RequestChanges): Request {
  const head = Object.assign(Object.create(Object.getPrototypeOf(req.head) as object) as RequestHead, req.head);
  if (changes.method !== undefined) head.method = changes.method;
  const drop = changes.dropFields ?? [];
  if (drop.length !== 0) {
    head.headers = req.head.headers.filter(([name]) => !drop.includes(name as 'content-length'));
    if (drop.includes('content-encoding')) head.contentEncoding = null;
    if (drop.includes('content-length')) head.contentLength = -1;
  }
  const origin = {
    remoteAddress: () => req.remoteAddress, remote: () => req.remote, signal: req.signal, transport: { secure: req.secure },
    transportInfo: () => req.transport,
  };
  // Trailers arrive on the original once its body has been read: the view reads them through.
  return new Request(head, changes.body ?? req.body, origin, req.receivedAt, { get trailers() { return req.trailers; } });
}
