// The request an application sees: the parsed head (indexed common headers), the body as a Source, and lazily
// computed extras (decoded path, query parameters, peer address, a disconnect signal).
import type { Source } from '../conduit/index.js';
import { familyOf, formatRemote, parseEndpoint, type RemoteInfo } from './remote.js';
import type { RequestHead } from './request-head.js';
import { decodePercent } from './target.js';
import type { TransportInfo } from './transport.js';

/** Where a request came from; the engine fills it in. */
export interface RequestOrigin {
  /** The peer's address ('ip:port'), or null when unknown. */
  remoteAddress(): string | null;
  /** The client as the engine resolved it (PROXY header, trusted forwarded headers); absent: remoteAddress's peer. */
  remote?(head: RequestHead): RemoteInfo | null;
  /** Aborted when the client disconnects or the connection fails. */
  readonly signal: AbortSignal;
  /** The carrier (absent: plain TCP); only whether it is encrypted is read per request. */
  readonly transport?: { readonly secure: boolean };
  /** What the carrier negotiated (TLS version, cipher, ALPN, SNI); absent: plain TCP. */
  transportInfo?(): TransportInfo;
}

const TCP_INFO: TransportInfo = Object.freeze({ kind: 'tcp' });

/** Where a request's trailer fields appear once its body has been read (the engine's RequestBody). */
export interface TrailerHolder {
  readonly trailers: ReadonlyArray<readonly [string, string]>;
}

const NO_TRAILERS: ReadonlyArray<readonly [string, string]> = Object.freeze([]);

/** One HTTP request. */
export class Request {
  /** The parsed head: method, target, every header line and the indexed common ones. */
  readonly head: RequestHead;
  /** The request body (empty when there is none); read it at most once. */
  readonly body: Source<Uint8Array>;
  /** When the head was complete (ms since the epoch). */
  readonly receivedAt: number;
  private readonly origin: RequestOrigin;
  private decodedPath: string | null | undefined = undefined;
  private params: URLSearchParams | null = null;
  private readonly trailerHolder: TrailerHolder | null;
  private remoteValue: RemoteInfo | null | undefined = undefined;

  constructor(head: RequestHead, body: Source<Uint8Array>, origin: RequestOrigin, receivedAt = Date.now(), trailers: TrailerHolder | null = null) {
    this.head = head;
    this.body = body;
    this.origin = origin;
    this.receivedAt = receivedAt;
    this.trailerHolder = trailers;
  }

  /** Trailer fields of a chunked body ([lower-case name, value]), available once the body has been read to its end. */
  get trailers(): ReadonlyArray<readonly [string, string]> {
    return this.trailerHolder?.trailers ?? NO_TRAILERS;
  }

  /** The method, e.g. 'GET'. */
  get method(): string {
    return this.head.method;
  }

  /** The raw request-target as received. */
  get target(): string {
    return this.head.target;
  }

  /** The raw path, without the query (still percent-encoded). */
  get path(): string {
    return this.head.path;
  }

  /** The raw query string after '?', '' when absent. */
  get query(): string {
    return this.head.query;
  }

  /** '1.0' or '1.1'. */
  get httpVersion(): '1.0' | '1.1' {
    return this.head.versionMinor === 1 ? '1.1' : '1.0';
  }

  /** The Host (or absolute-form authority), or null. */
  get host(): string | null {
    return this.head.host;
  }

  /** The path percent-decoded once (UTF-8), or null when it is not valid percent-encoding. */
  get decodedPathname(): string | null {
    if (this.decodedPath === undefined) this.decodedPath = decodePercent(this.head.path);
    return this.decodedPath;
  }

  /** The query parameters. */
  get searchParams(): URLSearchParams {
    this.params ??= new URLSearchParams(this.head.query);
    return this.params;
  }

  /** A header's value (case-insensitive name); repeated fields are joined with ', ' (RFC 9110 §5.3). */
  header(name: string): string | undefined {
    const lower = name.toLowerCase();
    let value: string | undefined;
    for (const [n, v] of this.head.headers) {
      if (n !== lower) continue;
      value = value === undefined ? v : `${value}, ${v}`;
    }
    return value;
  }

  /** The client's address ('ip:port' / '[ip6]:port'), or null: req.remote as text (what access logs write). */
  get remoteAddress(): string | null {
    return this.origin.remote === undefined ? this.origin.remoteAddress() : formatRemote(this.remote);
  }

  /**
   * The client: address, port, family, and the proxy that reported it (null for a direct connection). Behind a PROXY
   * protocol listener it is the client the header named; with settings.forwardedHeaders, the client trusted proxies
   * name in Forwarded / X-Forwarded-For. Null when the connection closed before anyone asked.
   */
  get remote(): RemoteInfo | null {
    if (this.remoteValue === undefined) {
      this.remoteValue = this.origin.remote === undefined ? remoteOfText(this.origin.remoteAddress()) : this.origin.remote(this.head);
    }
    return this.remoteValue;
  }

  /** Whether the request came over TLS (https). */
  get secure(): boolean {
    return this.origin.transport?.secure === true;
  }

  /** 'https' or 'http': the scheme of this request's URL. */
  get protocol(): 'http' | 'https' {
    return this.secure ? 'https' : 'http';
  }

  /** What carried the request: { kind: 'tcp' }, or TLS's version, cipher, ALPN protocol and SNI name (a cold path). */
  get transport(): TransportInfo {
    return this.origin.transportInfo?.() ?? TCP_INFO;
  }

  /** Aborted when the client disconnects mid-request or mid-response. */
  get signal(): AbortSignal {
    return this.origin.signal;
  }
}

function remoteOfText(text: string | null): RemoteInfo | null {
  const peer = parseEndpoint(text);
  return peer === null ? null : { ...peer, family: familyOf(peer.address), proxy: null };
}
