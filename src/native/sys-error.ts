// System errors from the native layer: -errno becomes a SysError shaped like Node's own ({ errno, code, syscall }).
// The only place -errno turns into an object; everything else passes plain numbers around.
import { constants } from 'node:os';

// First name wins for aliases (EAGAIN before EWOULDBLOCK, ENOTSUP before EOPNOTSUPP), as libuv names them.
const CODE_BY_ERRNO: ReadonlyMap<number, string> = Object.entries(constants.errno).reduce(
  (map, [code, errno]) => (map.has(errno) ? map : map.set(errno, code)),
  new Map<number, string>(),
);

/** An error from a syscall, like Node's: errno is negative (-104), code is the name ('ECONNRESET'). */
export class SysError extends Error {
  /** Negative errno, as Node reports it (-104 for ECONNRESET). */
  readonly errno: number;
  /** Symbolic name ('ECONNRESET'); 'UNKNOWN' when the number has none. Match on this, never on the message. */
  readonly code: string;
  /** The call that failed ('recv', 'sendfile'...). */
  readonly syscall: string;

  constructor(errno: number, code: string, syscall: string, message: string) {
    super(message);
    this.name = 'SysError';
    this.errno = errno;
    this.code = code;
    this.syscall = syscall;
  }
}

/** The symbolic name of an errno (either sign), e.g. 104 -> 'ECONNRESET', or 'UNKNOWN'. */
export function nameErrno(errno: number): string {
  return CODE_BY_ERRNO.get(Math.abs(errno)) ?? 'UNKNOWN';
}

/** Turns a native result (-errno) into a SysError with message '<syscall> <CODE>' (like Node's 'read ECONNRESET'). */
export function sysError(result: number, syscall: string): SysError {
  const errno = -Math.abs(result);
  const code = nameErrno(errno);
  const detail = code === 'UNKNOWN' ? `Unknown system error ${errno}` : code;
  return new SysError(errno, code, syscall, `${syscall} ${detail}`);
}

/** Returns a native result when it is >= 0 and throws its SysError otherwise (for cold paths: listen, setup). */
export function checkResult(result: number, syscall: string): number {
  if (result < 0) throw sysError(result, syscall);
  return result;
}
