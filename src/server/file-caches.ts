// The process's file caches (Warp's FileInfoCache + FdCache): shared by the engine's sendfile path and the static
// file app, so a hot file costs one stat per cache lifetime and no open/close per request.
import { FdCache } from './fd-cache.js';
import { FileInfoCache } from './file-info-cache.js';

/** The stat cache and the fd cache, swept by one timer. */
export interface FileCaches {
  readonly info: FileInfoCache;
  readonly fds: FdCache;
}

let shared: FileCaches | null = null;

/** The process-wide caches (made on first use; their timer is unref'd, so they never keep the process alive). */
export function fileCaches(): FileCaches {
  if (shared === null) {
    const info = new FileInfoCache();
    shared = { info, fds: new FdCache({ infoCache: info }) };
  }
  return shared;
}

/** Closes the shared caches (every cached fd), e.g. after the last server closes. */
export function closeFileCaches(): void {
  if (shared === null) return;
  shared.fds.close();
  shared.info.close();
  shared = null;
}
