// What differs between the byte carriers a connection can run on (warp's Connection record, reduced to the
// operations that cannot be transparent). Key decision: records are encrypted and decrypted below the event batch
// (in the addon), so reading and corked writing never go through here; only the file path, the half-close and the
// facts a request may ask about (is it secure, which protocol did ALPN pick) do.
import { SHUT_WR, type NativeBinding } from '../native/index.js';

/** Facts about the carrier, for requests and logs. */
export type TransportInfo =
  | { readonly kind: 'tcp' }
  | {
      readonly kind: 'tls';
      readonly version: string;
      readonly cipher: string;
      readonly alpn: string | null;
      readonly serverName: string | null;
      /** Whether a session ticket resumed an earlier session (an abbreviated handshake). */
      readonly resumed: boolean;
    };

/** The operations that differ per carrier. One shared object per kind: nothing is allocated per connection. */
export interface Transport {
  /** What the carrier is (a TLS transport reads its facts from the addon on first use). */
  info(native: NativeBinding, fd: number): TransportInfo;
  /** Whether the carrier is encrypted (requests report `secure`, URLs use https). */
  readonly secure: boolean;
  /** Whether sendfile(2) can move file bytes straight to the socket (false under user-space TLS). */
  readonly zeroCopyFiles: boolean;
  /** Half-closes before a lingering close: shutdown(SHUT_WR); a TLS carrier sends close_notify first. */
  shutdownWrite(native: NativeBinding, fd: number): void;
}

const TCP_INFO: TransportInfo = Object.freeze({ kind: 'tcp' });

/** Plain TCP. */
export const TCP: Transport = Object.freeze({
  info: () => TCP_INFO,
  secure: false,
  zeroCopyFiles: true,
  shutdownWrite(native: NativeBinding, fd: number): void {
    native.shutdown(fd, SHUT_WR);
  },
});

/** What a TLS connection reports once its fd is closed (the addon has forgotten it). */
const TLS_CLOSED_INFO: TransportInfo = Object.freeze({ kind: 'tls', version: '', cipher: '', alpn: null, serverName: null, resumed: false });

/**
 * TLS in the addon: records are encrypted and decrypted natively, so only the facts differ. A file still goes out
 * through sendfile(), which the addon does as pread + encrypt + send; shutdown(SHUT_WR) sends close_notify first.
 */
export const TLS: Transport = Object.freeze({
  info(native: NativeBinding, fd: number): TransportInfo {
    const facts = native.transportInfo(fd);
    return facts === null ? TLS_CLOSED_INFO : { kind: 'tls', ...facts };
  },
  secure: true,
  zeroCopyFiles: false,
  shutdownWrite(native: NativeBinding, fd: number): void {
    native.shutdown(fd, SHUT_WR);
  },
});
