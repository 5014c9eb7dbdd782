// The opening handshake on the server (RFC 6455 §4.2): the request checks, Sec-WebSocket-Accept, the subprotocol
// choice and the 101 fields. Key decision: each refusal is a code with one status (426 only for the version).
import * as crypto from 'node:crypto';
import { respond, type Response, type ResponseHeaders } from '../server/index.js';
import { hasListElement, isToken, listElements } from './tokens.js';

/** What the handshake reads from a request: the engine's Request has it, and so can a fetch adapter's view. */
export interface UpgradeRequest {
  readonly method: string;
  readonly httpVersion: '1.0' | '1.1';
  /** A field's value (case-insensitive name), repeated fields joined with ', '; undefined when absent. */
  header(name: string): string | undefined;
}

/** Why an upgrade request is refused. */
export type HandshakeErrorCode =
  | 'METHOD_NOT_GET'
  | 'HTTP_1_0'
  | 'NOT_WEBSOCKET_UPGRADE'
  | 'CONNECTION_NOT_UPGRADE'
  | 'HAS_BODY'
  | 'BAD_VERSION'
  | 'BAD_KEY'
  | 'BAD_PROTOCOL_HEADER';

interface Refusal {
  readonly status: number;
  readonly text: string;
  readonly headers?: ResponseHeaders;
}

const REFUSALS: Readonly<Record<HandshakeErrorCode, Refusal>> = {
  // RFC 6455 §4.2.1 item 1: the handshake is a GET.
  METHOD_NOT_GET: { status: 405, text: 'A WebSocket handshake is a GET', headers: { allow: 'GET' } },
  // RFC 9110 §7.8: a server must ignore Upgrade in an HTTP/1.0 request, so it is never switched.
  HTTP_1_0: { status: 400, text: 'A WebSocket handshake needs HTTP/1.1' },
  NOT_WEBSOCKET_UPGRADE: { status: 400, text: 'Upgrade must list websocket' },
  CONNECTION_NOT_UPGRADE: { status: 400, text: 'Connection must list upgrade' },
  // A body would be read as WebSocket frames after the switch.
  HAS_BODY: { status: 400, text: 'A WebSocket handshake has no body' },
  // RFC 6455 §4.2.2: a version we do not speak gets 426 and the versions we do.
  BAD_VERSION: { status: 426, text: 'Sec-WebSocket-Version must be 13', headers: { 'sec-websocket-version': '13' } },
  BAD_KEY: { status: 400, text: 'Sec-WebSocket-Key must be 16 bytes in base64' },
  BAD_PROTOCOL_HEADER: { status: 400, text: 'Sec-WebSocket-Protocol must be distinct tokens' },
};

/** A valid upgrade request: what the response depends on. */
export interface AcceptedHandshake {
  readonly kind: 'accept';
  /** The Sec-WebSocket-Key value. */
  readonly key: string;
  /** The subprotocols the client offered, in its order of preference. */
  readonly protocols: readonly string[];
  /** The raw Sec-WebSocket-Extensions value, if any. */
  readonly extensions: string | undefined;
}

/** A refused upgrade request. */
export interface RefusedHandshake {
  readonly kind: 'refuse';
  readonly code: HandshakeErrorCode;
  /** The HTTP status the client gets. */
  readonly status: number;
}

/** RFC 6455 §4.1: 16 random bytes in base64 are 24 characters, the last of the 22nd limited, then '=='. */
const KEY = /^[+/0-9A-Za-z]{21}[AQgw]==$/;

/** Checks an upgrade request against RFC 6455 §4.2.1, in order: method, HTTP version, fields, version, key. */
export function checkHandshake(req: UpgradeRequest): AcceptedHandshake | RefusedHandshake {
  if (req.method !== 'GET') return refuse('METHOD_NOT_GET');
  if (req.httpVersion !== '1.1') return refuse('HTTP_1_0');
  if (!hasListElement(req.header('upgrade'), 'websocket')) return refuse('NOT_WEBSOCKET_UPGRADE');
  if (!hasListElement(req.header('connection'), 'upgrade')) return refuse('CONNECTION_NOT_UPGRADE');
  const length = req.header('content-length');
  if ((length !== undefined && length.trim() !== '0') || req.header('transfer-encoding') !== undefined) return refuse('HAS_BODY');
  if (req.header('sec-websocket-version')?.trim() !== '13') return refuse('BAD_VERSION');
  const key = req.header('sec-websocket-key')?.trim();
  if (key === undefined || !KEY.test(key)) return refuse('BAD_KEY');
  const protocols = parseProtocols(req.header('sec-websocket-protocol'));
  if (protocols === null) return refuse('BAD_PROTOCOL_HEADER');
  return { kind: 'accept', key, protocols, extensions: req.header('sec-websocket-extensions') };
}

function refuse(code: HandshakeErrorCode): RefusedHandshake {
  return { kind: 'refuse', code, status: REFUSALS[code].status };
}

/** RFC 6455 §4.1: Sec-WebSocket-Protocol is a list of distinct tokens; null when it is not. */
function parseProtocols(value: string | undefined): string[] | null {
  if (value === undefined) return [];
  const protocols = listElements(value);
  if (protocols.length === 0 || !protocols.every(isToken) || new Set(protocols).size !== protocols.length) return null;
  return protocols;
}

/** The HTTP response for a refused handshake (plain text, with Allow or Sec-WebSocket-Version where RFCs ask). */
export function refusalResponse(code: HandshakeErrorCode): Response {
  const r = REFUSALS[code];
  return respond.text(r.status, r.text + '\n', r.headers);
}

/** RFC 6455 §1.3: the GUID appended to the key before hashing. */
const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Node's one-shot digest (20.12 and later): no Hash object per handshake. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64') => string }).hash;

/** Sec-WebSocket-Accept for a key: base64(SHA-1(key + GUID)). */
export function acceptKey(key: string): string {
  if (oneShot !== undefined) return oneShot('sha1', key + ACCEPT_GUID, 'base64');
  return crypto.createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
}

/** How an app picks a subprotocol: a name to take when offered, or a function of the offered list. */
export type ProtocolChoice = string | ((offered: readonly string[]) => string | null | undefined);

/** An error for an app that picked a subprotocol the client did not offer (RFC 6455 §4.2.2 forbids it). */
export class ProtocolChoiceError extends TypeError {
  /** Always 'ERR_WS_PROTOCOL_NOT_OFFERED'. */
  readonly code = 'ERR_WS_PROTOCOL_NOT_OFFERED';
}

/** The subprotocol to answer with: none unless the app picks one of those offered. */
export function selectProtocol(offered: readonly string[], choice: ProtocolChoice | undefined): string | null {
  if (choice === undefined || offered.length === 0) return null;
  if (typeof choice === 'string') return offered.includes(choice) ? choice : null;
  const picked = choice(offered) ?? null;
  if (picked !== null && !offered.includes(picked)) {
    throw new ProtocolChoiceError(`subprotocol ${JSON.stringify(picked)} was not offered (${offered.join(', ')})`);
  }
  return picked;
}

/** The fields the handshake owns: an app's own value for one of them is dropped, never sent twice. */
const HANDSHAKE_FIELDS = new Set(['upgrade', 'connection', 'sec-websocket-accept', 'sec-websocket-protocol', 'sec-websocket-extensions']);

/** The 101 fields (RFC 6455 §4.2.2 item 5) after the app's own extra fields (set-cookie, ...). */
export function switchingHeaders(
  key: string, protocol: string | null, extensions: string | null, extra: ResponseHeaders = {},
): ResponseHeaders {
  const headers: Record<string, string | number | readonly string[]> = {};
  for (const name in extra) if (!HANDSHAKE_FIELDS.has(name.toLowerCase())) headers[name] = extra[name]!;
  headers['upgrade'] = 'websocket';
  headers['connection'] = 'Upgrade';
  headers['sec-websocket-accept'] = acceptKey(key);
  if (protocol !== null) headers['sec-websocket-protocol'] = protocol;
  if (extensions !== null) headers['sec-websocket-extensions'] = extensions;
  return headers;
}
