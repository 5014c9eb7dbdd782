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
    };

/** The operations that differ per carrier. One shared object per kind: nothing is allocated per connection. */
export interface Transport {
  /** What the carrier is (a TLS transport reads its facts from the addon on first use). */
  info(native: NativeBinding, fd: number): TransportInfo;
  /** Whether sendfile(2) can move file bytes straight to the socket (false under user-space TLS). */
  readonly zeroCopyFiles: boolean;
  /** Half-closes before a lingering close: shutdown(SHUT_WR); a TLS carrier sends close_notify first. */
  shutdownWrite(native: NativeBinding, fd: number): void;
}

const TCP_INFO: TransportInfo = Object.freeze({ kind: 'tcp' });

/** Plain TCP. */
export const TCP: Transport = Object.freeze({
  info: () => TCP_INFO,
  zeroCopyFiles: true,
  shutdownWrite(native: NativeBinding, fd: number): void {
    native.shutdown(fd, SHUT_WR);
  },
});
