// Running out of file descriptors while serving a file (EMFILE: this process, ENFILE: the system) is a temporary
// overload, not a missing file and not a bug: answer 503 with Retry-After, as nginx does, instead of failing the
// connection. Key decision: the static app opens (pins) the fd itself, so the failure surfaces here, before any byte of
// the response is committed.
import { respond, type Response } from '../../server/index.js';

/** Seconds a client is asked to wait before retrying: descriptors free up as connections close. */
export const RETRY_AFTER_SECONDS = 1;

/** The shared 503 (RFC 9110 §15.6.4) with Retry-After (§10.2.3). */
export const SERVICE_UNAVAILABLE: Response = respond.text(503, 'Service Unavailable: too many open files, retry shortly\n', {
  'retry-after': String(RETRY_AFTER_SECONDS),
});

/** Is this an fs error meaning "no descriptor left" (EMFILE, ENFILE)? */
export function isOutOfDescriptors(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
}
