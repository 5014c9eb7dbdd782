// Native socket layer: the typed facade over build/Release/sluice_native.node (see README.md in this folder).

// The binding's shape and wire layout
export type { NativeBinding, NativeBytes, NativeAddon, NativeEventKind } from './binding.js';
export {
  EV_NONE,
  EV_DATA,
  EV_EOF,
  EV_ERROR,
  EV_WRITABLE,
  EV_ACCEPT,
  EV_ACCEPT_ERROR,
  EVENT_RECORD_INT32,
  FLUSH_RECORD_INT32,
  SHUT_RD,
  SHUT_WR,
  SHUT_RDWR,
} from './binding.js';

// Loading
export { loadNative, NativeLoadError, NATIVE_ADDON_PATH } from './load.js';

// System errors
export { SysError, sysError, nameErrno, checkResult } from './sys-error.js';
