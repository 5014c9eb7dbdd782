// A server's HTTPS: the native context its listeners hand new connections, swapped on reload without touching open
// connections (certbot renewals), and the process's ticket key rotation while the server runs. Key decision: a reload
// builds the new context first and swaps only if that worked, so a bad renewal keeps the server on its old certificate.
import type { NativeBinding } from '../native/index.js';
import { sysError } from '../native/index.js';
import type { ListenOptions } from './reactor.js';
import { buildTlsContext, plainHttpReply } from './tls-context.js';
import type { TlsSettings } from './tls-settings.js';
import { retainTicketRotation, TICKET_KEY_ROTATION_MS } from './tls-tickets.js';

/** The TLS state of one server's listeners. */
export class ServerTls {
  private contextId: number;
  private current: TlsSettings;
  private readonly reply: Uint8Array;
  private releaseRotation: (() => void) | null;

  /** Builds the first context (throws TlsError naming a bad file) and starts ticket key rotation. */
  constructor(private readonly native: NativeBinding, tls: TlsSettings, serverName: string) {
    this.reply = plainHttpReply(serverName);
    this.contextId = buildTlsContext(native, tls, this.reply);
    this.current = tls;
    const period = tls.ticketKeyRotationMs ?? TICKET_KEY_ROTATION_MS;
    this.releaseRotation = period > 0 ? retainTicketRotation(native, period) : null;
  }

  /** What the reactor passes to startAccepting for each listener. */
  listenOptions(preludeTimeoutMs: number): ListenOptions {
    return { tlsContext: this.contextId, preludeTimeoutMs };
  }

  /**
   * New connections on `listenFds` get certificates from `tls` (default: the current settings, their files read
   * again); open connections keep theirs. Throws TlsError (and changes nothing) when the new ones cannot be used.
   */
  swap(listenFds: readonly number[], tls: TlsSettings = this.current): void {
    const next = buildTlsContext(this.native, tls, this.reply);
    for (const fd of listenFds) {
      const r = this.native.setTls(fd, next);
      // A listener closed meanwhile (shutdown) has nothing to swap.
      if (r < 0 && r !== -9) {
        this.native.freeTlsContext(next);
        throw sysError(r, 'setTls');
      }
    }
    // Listeners and open connections hold their own references: freeing the registry's is safe at once.
    this.native.freeTlsContext(this.contextId);
    this.contextId = next;
    this.current = tls;
  }

  /** The server closed: its context goes once its last connection has; rotation stops with the last TLS server. */
  close(): void {
    if (this.contextId >= 0) this.native.freeTlsContext(this.contextId);
    this.contextId = -1;
    this.releaseRotation?.();
    this.releaseRotation = null;
  }
}
