// Native socket layer: the typed facade over build/Release/sluice_native.node (see README.md in this folder).

// The binding's shape and wire layout
export type {
  NativeBinding,
  NativeBytes,
  NativeCertificates,
  NativeProcess,
  NativeAddon,
  NativeEventKind,
  NativeTlsCredentials,
  NativeTlsOptions,
  NativeTlsSniEntry,
  NativeTlsStats,
  NativeTransportInfo,
  NativeProxyEndpoint,
  NativeProxyErrorCode,
  NativeProxyHeader,
  NativeProxyInfo,
  NativeProxyParse,
  NativeProxySsl,
  NativeProxyStats,
  NativeProxyTlvs,
  Pem,
} from './binding.js';
export {
  EV_NONE,
  EV_DATA,
  EV_EOF,
  EV_ERROR,
  EV_WRITABLE,
  EV_ACCEPT,
  EV_ACCEPT_ERROR,
  EV_INOTIFY,
  EVENT_RECORD_INT32,
  FLUSH_RECORD_INT32,
  FLUSH_CHAIN_MAX,
  FLUSH_CLOSE,
  FLUSH_CLOSED,
  EAGAIN,
  SHUT_RD,
  SHUT_WR,
  SHUT_RDWR,
  WIRE_CONSTANTS,
  TICKET_KEY_BYTES,
  IN_MODIFY,
  IN_ATTRIB,
  IN_CLOSE_WRITE,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_CREATE,
  IN_DELETE,
  IN_DELETE_SELF,
  IN_MOVE_SELF,
  IN_Q_OVERFLOW,
  IN_IGNORED,
  IN_ONLYDIR,
  IN_DONT_FOLLOW,
} from './binding.js';

// Loading
export { loadNative, loadFirstUsable, NativeLoadError, NATIVE_ADDON_PATH, prebuiltAddonPath, currentTarget } from './load.js';
export type { NativeTarget } from './load.js';
export { PACKAGE_ROOT, findPackageRoot } from './package-root.js';

// System errors
export { SysError, sysError, nameErrno, checkResult } from './sys-error.js';
