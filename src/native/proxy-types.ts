// The shapes of the addon's PROXY protocol results (proxyInfo, proxyStats, parseProxyHeader): their own file so
// binding.ts stays the one description of the core binding; re-exported from there.

/** An address a PROXY header carried: an IP address and port, or a UNIX socket path (port 0). */
export interface NativeProxyEndpoint {
  readonly address: string;
  readonly port: number;
}

/** PP2_TYPE_SSL: how the client reached the balancer (HAProxy's proxy-v2-options ssl, cert-cn...). */
export interface NativeProxySsl {
  /** PP2_CLIENT_SSL (1), PP2_CLIENT_CERT_CONN (2), PP2_CLIENT_CERT_SESS (4). */
  readonly client: number;
  /** The client certificate verified (verify field 0). */
  readonly verified: boolean;
  readonly version: string | null;
  readonly cn: string | null;
  readonly cipher: string | null;
  readonly sigAlg: string | null;
  readonly keyAlg: string | null;
}

/** A v2 header's TLVs: the well-known ones by name, and all of them (custom ones such as AWS's 0xEA too) in `list`. */
export interface NativeProxyTlvs {
  readonly alpn: string | null;
  readonly authority: string | null;
  readonly uniqueId: Uint8Array | null;
  readonly ssl: NativeProxySsl | null;
  readonly list: ReadonlyArray<{ readonly type: number; readonly value: Uint8Array }>;
}

/** What a PROXY header says (doc/proxy-protocol.txt). Source and destination are null for LOCAL, v1 UNKNOWN and v2 UNSPEC:
 *  the connection's own endpoints stand then. */
export interface NativeProxyHeader {
  readonly version: 1 | 2;
  /** LOCAL: the balancer's own connection (a health check). */
  readonly command: 'PROXY' | 'LOCAL';
  readonly family: 'IPv4' | 'IPv6' | 'unix' | 'unspec';
  readonly transport: 'stream' | 'dgram' | 'unspec';
  /** The client. */
  readonly source: NativeProxyEndpoint | null;
  /** The address the client connected to (the balancer's public one). */
  readonly destination: NativeProxyEndpoint | null;
  readonly tlvs: NativeProxyTlvs;
}

/** parseProxyHeader's result: a header and the bytes it took, a valid prefix, or the refusal's code. */
export type NativeProxyParse =
  | ({ readonly kind: 'header'; readonly length: number } & NativeProxyHeader)
  | { readonly kind: 'need-more' }
  | { readonly kind: 'error'; readonly code: NativeProxyErrorCode };

/** Why a PROXY header was refused. */
export type NativeProxyErrorCode =
  | 'NOT_PROXY' | 'V1_TOO_LONG' | 'V1_SYNTAX' | 'V1_PROTOCOL' | 'BAD_ADDRESS' | 'BAD_PORT' | 'V2_VERSION' | 'V2_COMMAND'
  | 'V2_FAMILY' | 'V2_TOO_LONG' | 'V2_LENGTH' | 'BAD_TLV' | 'BAD_CHECKSUM';

/** A connection's PROXY header, with the TCP peer it came from (the balancer). */
export interface NativeProxyInfo extends NativeProxyHeader {
  /** The TCP peer ('ip:port' / '[ip6]:port'), or null if the socket has none. */
  readonly peer: string | null;
}

/** PROXY stage outcomes since init(). */
export interface NativeProxyStats {
  /** Connections opened by a PROXY header (v1, v2 PROXY). */
  readonly proxied: number;
  /** Connections opened by a v2 LOCAL header (health checks). */
  readonly local: number;
  /** Closed at accept: the peer is outside the trusted ranges. */
  readonly untrusted: number;
  /** Closed: a bad, oversized or missing header. */
  readonly malformed: number;
  /** Closed: the header did not arrive before the prelude deadline. */
  readonly timedOut: number;
  /** The peer closed or reset before its header was whole. */
  readonly aborted: number;
}
