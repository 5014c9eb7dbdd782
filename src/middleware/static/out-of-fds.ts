// Running out of file descriptors while serving a file (EMFILE: this process, ENFILE: the system) is a temporary
// overload, not a missing file and not a bug: answer 503 with Retry-After, as nginx does, instead of failing the
// connection. The engine answers so when it opens a file response's fd; this covers the static app's own opens (a
// listing's directory, a multipart body's pinned fd), which happen before any byte of the response is committed.
import { respond, type Response } from '../../server/index.js';

export { isOutOfDescriptors } from '../../server/index.js';

/** Seconds a client is asked to wait before retrying: descriptors free up as connections close. */
export const RETRY_AFTER_SECONDS = 1;

/** The shared 503 (RFC 9110 §15.6.4) with Retry-After (§10.2.3). */
export const SERVICE_UNAVAILABLE: Response = respond.text(503, 'Service Unavailable: out of file descriptors, retry shortly\n', {
  'retry-after': String(RETRY_AFTER_SECONDS),
});
