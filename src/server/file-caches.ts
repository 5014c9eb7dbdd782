// The process's file caches (Warp's FileInfoCache + FdCache, made exact by inotify): shared by the engine's sendfile
// path and the static file app, so a hot file costs no syscall, and a changed one is never served as it was.
import { FdCache } from './fd-cache.js';
import { FileInfoCache } from './file-info-cache.js';
import { FileWatch } from './file-watch.js';
import { sharedReactor } from './reactor.js';

/** The stat cache and the fd cache, swept by one timer. */
export interface FileCaches {
  readonly info: FileInfoCache;
  readonly fds: FdCache;
}

let shared: (FileCaches & { readonly watch: FileWatch }) | null = null;

/**
 * The process-wide caches (made on first use; their timer is unref'd, so they never keep the process alive). Their
 * watches report through the process's reactor, which applies the changes before it serves the requests after them.
 */
export function fileCaches(): FileCaches {
  if (shared === null) {
    const reactor = sharedReactor();
    const watch = new FileWatch(reactor.native);
    reactor.inotify = (wd, mask, nameAt, names) => watch.applyRecord(wd, mask, nameAt, names);
    const info = new FileInfoCache({ watch });
    shared = { info, fds: new FdCache({ infoCache: info }), watch };
  }
  return shared;
}

/** Closes the shared caches (every cached fd and every watch), e.g. after the last server closes. */
export function closeFileCaches(): void {
  if (shared === null) return;
  sharedReactor().inotify = null;
  shared.fds.close();
  shared.info.close();
  shared.watch.close();
  shared = null;
}
