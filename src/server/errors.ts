// Request and response errors: one closed code union, one table mapping each code to its status and to
// prebuilt response bytes (uWebSockets' HttpErrors.h), so an error answer costs a lookup, not a render.

/** Why a request was refused; each code maps to exactly one status in ERROR_TABLE. */
export type RequestErrorCode =
  | 'BAD_REQUEST_LINE'
  | 'BAD_HEADER'
  | 'HEADER_TOO_LARGE'
  | 'TOO_MANY_HEADERS'
  | 'URI_TOO_LONG'
  | 'BAD_VERSION'
  | 'MISSING_HOST'
  | 'BAD_HOST'
  | 'BAD_CONTENT_LENGTH'
  | 'CONFLICTING_FRAMING'
  | 'BAD_TRANSFER_ENCODING'
  | 'UNKNOWN_TRANSFER_CODING'
  | 'BAD_CHUNK'
  | 'CHUNK_TOO_LARGE'
  | 'TRAILER_TOO_LARGE'
  | 'BODY_TOO_LARGE'
  | 'TRUNCATED_BODY'
  | 'EXPECTATION_FAILED'
  | 'REQUEST_TIMEOUT';

/** A request the engine refuses; answer with errorResponse(code) and close the connection. */
export class RequestError extends Error {
  /** Machine-readable reason; match on this, never on the message. */
  readonly code: RequestErrorCode;
  /** The HTTP status the client gets. */
  readonly status: number;
  constructor(code: RequestErrorCode, message?: string, options?: ErrorOptions) {
    super(message ?? ERROR_TABLE[code].text, options);
    this.name = 'RequestError';
    this.code = code;
    this.status = ERROR_TABLE[code].status;
  }
}

/** Why composing a response head failed (never a wire error: the app handed us something unsendable). */
export type ResponseErrorCode = 'BAD_RESPONSE_HEADER' | 'BAD_STATUS' | 'BAD_UPGRADE';

/** A response the engine refuses to write (RFC 9110 §5.5: CR, LF and NUL never reach the wire). */
export class ResponseError extends Error {
  /** Machine-readable reason. */
  readonly code: ResponseErrorCode;
  constructor(code: ResponseErrorCode, message: string) {
    super(message);
    this.name = 'ResponseError';
    this.code = code;
  }
}

/** Standard reason phrases (RFC 9110 §15, RFC 6585 for 428/429/431). */
const REASONS: Readonly<Record<number, string>> = {
  100: 'Continue', 101: 'Switching Protocols', 103: 'Early Hints',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Content Too Large',
  414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed',
  421: 'Misdirected Request', 422: 'Unprocessable Content', 426: 'Upgrade Required', 428: 'Precondition Required',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 505: 'HTTP Version Not Supported',
};

/** The reason phrase for a status, or '' when unregistered (RFC 9112 §4: the reason phrase may be empty). */
export function reasonPhraseOf(status: number): string {
  return REASONS[status] ?? '';
}

interface ErrorEntry { readonly status: number; readonly text: string }

/** code -> status and the human text that becomes the response body. */
const ERROR_TABLE: Readonly<Record<RequestErrorCode, ErrorEntry>> = {
  BAD_REQUEST_LINE: { status: 400, text: 'Malformed request line' },
  BAD_HEADER: { status: 400, text: 'Malformed header field' },
  HEADER_TOO_LARGE: { status: 431, text: 'Header section too large' },
  TOO_MANY_HEADERS: { status: 431, text: 'Too many header fields' },
  URI_TOO_LONG: { status: 414, text: 'Request target too long' },
  BAD_VERSION: { status: 505, text: 'HTTP version not supported' },
  MISSING_HOST: { status: 400, text: 'Missing Host header' },
  BAD_HOST: { status: 400, text: 'Invalid or repeated Host header' },
  BAD_CONTENT_LENGTH: { status: 400, text: 'Invalid Content-Length' },
  CONFLICTING_FRAMING: { status: 400, text: 'Both Transfer-Encoding and Content-Length' },
  BAD_TRANSFER_ENCODING: { status: 400, text: 'Transfer-Encoding must end in chunked' },
  UNKNOWN_TRANSFER_CODING: { status: 501, text: 'Unsupported transfer coding' },
  BAD_CHUNK: { status: 400, text: 'Malformed chunked body' },
  CHUNK_TOO_LARGE: { status: 400, text: 'Chunk size overflow' },
  TRAILER_TOO_LARGE: { status: 431, text: 'Trailer section too large' },
  BODY_TOO_LARGE: { status: 413, text: 'Request body too large' },
  TRUNCATED_BODY: { status: 400, text: 'Request body ended early' },
  EXPECTATION_FAILED: { status: 417, text: 'Unsupported expectation' },
  REQUEST_TIMEOUT: { status: 408, text: 'Request timeout' },
};

/** An error response in two parts, so the Date (and Server) lines can go between them (RFC 9110 §6.6.1). */
interface ErrorParts {
  /** The status line. */
  readonly statusLine: Uint8Array;
  /** The fixed fields, the empty line and the body. */
  readonly rest: Uint8Array;
}

/** Renders one close-delimited error response; runs once per code at module load. */
function renderErrorResponse(entry: ErrorEntry): ErrorParts {
  const body = entry.text + '\n';
  return {
    statusLine: Buffer.from(`HTTP/1.1 ${entry.status} ${reasonPhraseOf(entry.status)}\r\n`, 'latin1'),
    rest: Buffer.from(
      'content-type: text/plain; charset=utf-8\r\n' +
        `content-length: ${body.length}\r\n` +
        'connection: close\r\n\r\n' +
        body,
      'latin1',
    ),
  };
}

const PREBUILT = new Map<RequestErrorCode, ErrorParts>();
for (const code of Object.keys(ERROR_TABLE) as RequestErrorCode[]) PREBUILT.set(code, renderErrorResponse(ERROR_TABLE[code]));

const DATE_PREFIX = Buffer.from('date: ', 'latin1');
const SERVER_PREFIX = Buffer.from('server: ', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

/**
 * The complete response bytes for a refused request (status line, Date and Server when given, fixed fields, body;
 * Connection: close). Every response an origin server sends carries Date (RFC 9110 §6.6.1), early errors included.
 * `date` is DateCache.bytes() (the 29-byte value); `server` a validated Server value.
 */
export function errorResponse(code: RequestErrorCode, date: Uint8Array | null = null, server: string | null = null): Uint8Array {
  const parts = PREBUILT.get(code)!;
  const pieces: Uint8Array[] = [parts.statusLine];
  if (date !== null) pieces.push(DATE_PREFIX, date, CRLF);
  if (server !== null) pieces.push(SERVER_PREFIX, Buffer.from(server, 'latin1'), CRLF);
  pieces.push(parts.rest);
  return Buffer.concat(pieces);
}

/** The HTTP status a request error code answers with. */
export function statusOf(code: RequestErrorCode): number {
  return ERROR_TABLE[code].status;
}
