// The shapes of the addon's TLS calls (createTlsContext, transportInfo, tlsStats, rotateTicketKeys): their own file so
// binding.ts stays the one description of the core binding; re-exported from there.

/** Bytes of one session ticket key for rotateTicketKeys: name (16) + HMAC-SHA256 key (32) + AES-256 key (32). */
export const TICKET_KEY_BYTES = 80;

/** PEM input: text, or its bytes (a Buffer read from a file). */
export type Pem = string | Uint8Array;

/** One certificate of a TLS context: the leaf then its chain, the private key, and CAs that complete the chain. */
export interface NativeTlsCredentials {
  /** Leaf certificate first, then the intermediates to send. */
  readonly cert: Pem;
  /** Private key (PKCS#8, PKCS#1 or SEC1). */
  readonly key: Pem;
  /** Decrypts an encrypted key; without it such a key is refused (never a terminal prompt). */
  readonly passphrase?: string;
  /** CA certificates that complete the chain sent to clients (the root itself is left out). */
  readonly ca?: Pem;
}

/** A certificate chosen by SNI: an exact host name, or '*.example.com' for one more label. */
export interface NativeTlsSniEntry extends NativeTlsCredentials {
  /** Host name the client asks for (compared case-insensitively). */
  readonly serverName: string;
}

/** createTlsContext's options. Protocols, ciphers and groups follow Mozilla's "intermediate" profile. */
export interface NativeTlsOptions extends NativeTlsCredentials {
  /** Lowest protocol accepted (default 'TLSv1.2'); the highest is always TLS 1.3. */
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** ALPN protocols in server preference (default ['http/1.1']); a client offering none of them gets a fatal alert. */
  readonly alpn?: readonly string[];
  /** Certificates by server name; unknown or absent names get the default one. */
  readonly sni?: readonly NativeTlsSniEntry[];
  /** Bytes sent in the clear to a client that speaks plain HTTP to the TLS port, before closing (nginx's 400). */
  readonly plainHttpReply?: Uint8Array;
}

/** What an open TLS connection negotiated (cold path). */
export interface NativeTransportInfo {
  /** 'TLSv1.2' or 'TLSv1.3'. */
  readonly version: string;
  /** The cipher suite's IANA name, e.g. 'TLS_AES_128_GCM_SHA256'. */
  readonly cipher: string;
  /** The ALPN protocol chosen, or null when the client offered none. */
  readonly alpn: string | null;
  /** The SNI host name the client sent, or null. */
  readonly serverName: string | null;
  /** Whether a session ticket resumed the session (abbreviated handshake). */
  readonly resumed: boolean;
}

/** Live native TLS objects, for leak tests and diagnostics. */
export interface NativeTlsStats {
  /** TLS contexts not freed yet (registered, or kept alive by a listener or connection). */
  readonly contexts: number;
  /** Connections with TLS state (handshaking or open). */
  readonly connections: number;
  /** Connections still in a pre-HTTP stage (handshake), not reported to JS yet. */
  readonly preludes: number;
  /** Ciphertext waiting natively for writability, all connections. */
  readonly pendingBytes: number;
  /** Bytes the C allocator has handed out and not got back (glibc mallinfo2; -1 elsewhere): a leak shows here. */
  readonly mallocInUse: number;
}
