// Sec-WebSocket-Extensions (RFC 6455 §9.1) and permessage-deflate negotiation (RFC 7692 §7.1). Key decision: an
// offer we cannot accept (unknown, repeated or invalid parameter) is declined and the next offer tried; if none fits,
// the connection simply goes without compression, never a 400. A server window of 8, which zlib cannot compress
// with, is taken only when no other offer fits, and then we never compress (RFC 7692 lets a sender not compress).
import { TOKEN } from './tokens.js';

/** One offered extension: its name and parameters in order (a parameter without a value is `true`). */
export interface ExtensionOffer {
  readonly name: string;
  readonly params: ReadonlyArray<readonly [name: string, value: string | true]>;
}

/**
 * Parses an extension list; null when it does not follow the grammar. Names are lower-cased; a quoted value is
 * unescaped (RFC 6455 §9.1: it must then be a token).
 */
export function parseExtensions(value: string): ExtensionOffer[] | null {
  const offers: ExtensionOffer[] = [];
  const n = value.length;
  let i = 0;
  const skipSpace = (): void => {
    while (i < n && (value.charCodeAt(i) === 0x20 || value.charCodeAt(i) === 0x09)) i++;
  };
  const readToken = (): string => {
    const from = i;
    while (i < n && value.charCodeAt(i) < 0x80 && TOKEN[value.charCodeAt(i)] === 1) i++;
    return value.slice(from, i).toLowerCase();
  };
  for (;;) {
    // RFC 9110 §5.6.1: empty list elements are tolerated.
    while (i < n && (value.charCodeAt(i) === 0x2c || value.charCodeAt(i) === 0x20 || value.charCodeAt(i) === 0x09)) i++;
    if (i === n) return offers;
    const name = readToken();
    if (name === '') return null;
    const params: Array<readonly [string, string | true]> = [];
    for (;;) {
      skipSpace();
      if (i === n || value.charCodeAt(i) === 0x2c) break;
      if (value.charCodeAt(i) !== 0x3b) return null;
      i++;
      skipSpace();
      const param = readToken();
      if (param === '') return null;
      skipSpace();
      if (i < n && value.charCodeAt(i) === 0x3d) {
        i++;
        skipSpace();
        const v = value.charCodeAt(i) === 0x22 ? readQuoted() : readToken();
        if (v === null || v === '') return null;
        params.push([param, v]);
      } else params.push([param, true]);
    }
    offers.push({ name, params });
  }

  function readQuoted(): string | null {
    let out = '';
    for (i++; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c === 0x22) {
        i++;
        for (let k = 0; k < out.length; k++) if (out.charCodeAt(k) >= 0x80 || TOKEN[out.charCodeAt(k)] !== 1) return null;
        return out;
      }
      if (c === 0x5c) i++;
      if (i < n) out += value[i];
    }
    return null;
  }
}

/** What the server wants from permessage-deflate (resolved from PerMessageDeflateOptions). */
export interface DeflateConfig {
  /** 'shared': no context takeover on our side, one compressor for every socket; 'dedicated': one per socket. */
  readonly compress: 'shared' | 'dedicated' | false;
  /** 'shared' asks clients for client_no_context_takeover, so one decompressor serves every socket. */
  readonly decompress: 'shared' | 'dedicated';
  /** Our compression window (9-15; zlib cannot compress with 8). */
  readonly serverMaxWindowBits: number;
  /** The largest window we let clients compress with (8-15), when they offer to be limited. */
  readonly clientMaxWindowBits: number;
}

/** The outcome of a negotiation: how each side compresses, and the response header value. */
export interface DeflateParams {
  /** Our window; 8 means we never compress (zlib's smallest raw window is 9), while the client's messages still may be. */
  readonly serverWindowBits: number;
  readonly serverContextTakeover: boolean;
  readonly clientWindowBits: number;
  readonly clientContextTakeover: boolean;
  /** The Sec-WebSocket-Extensions value for the 101 response. */
  readonly response: string;
}

/** permessage-deflate parameters read from one offer; null when the offer must be declined (RFC 7692 §7.1). */
interface OfferParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | null;
  /** null: not offered; true: offered without a value. */
  clientMaxWindowBits: number | true | null;
}

function readOffer(offer: ExtensionOffer): OfferParams | null {
  const p: OfferParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: null, clientMaxWindowBits: null };
  const seen = new Set<string>();
  for (const [name, value] of offer.params) {
    if (seen.has(name)) return null;
    seen.add(name);
    switch (name) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        if (value !== true) return null;
        if (name === 'server_no_context_takeover') p.serverNoContextTakeover = true;
        else p.clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits': {
        const bits = value === true ? null : windowBitsOf(value);
        if (bits === null) return null;
        p.serverMaxWindowBits = bits;
        break;
      }
      case 'client_max_window_bits': {
        const bits = value === true ? true : windowBitsOf(value);
        if (bits === null) return null;
        p.clientMaxWindowBits = bits;
        break;
      }
      default:
        return null;
    }
  }
  return p;
}

/** RFC 7692 §7.1.2: a decimal 8-15 without leading zeros. */
function windowBitsOf(value: string): number | null {
  return /^(?:8|9|1[0-5])$/.test(value) ? Number(value) : null;
}

/**
 * Picks the first permessage-deflate offer in `header` we can accept under `config`, or null (no compression).
 * Other extensions are ignored: we implement none.
 */
export function negotiateDeflate(header: string | undefined, config: DeflateConfig): DeflateParams | null {
  if (header === undefined) return null;
  const offers = parseExtensions(header);
  if (offers === null) return null;
  let fallback: DeflateParams | null = null;
  for (const offer of offers) {
    if (offer.name !== 'permessage-deflate') continue;
    const p = readOffer(offer);
    if (p === null) continue;
    const params = accept(p, config);
    if (params.serverWindowBits >= 9 || config.compress === false) return params;
    fallback ??= params;
  }
  return fallback;
}

function accept(p: OfferParams, config: DeflateConfig): DeflateParams {
  const parts = ['permessage-deflate'];
  // RFC 7692 §7.1.1.1: a server that will not take over context may say so even when not asked.
  const serverContextTakeover = config.compress === 'dedicated' && !p.serverNoContextTakeover;
  if (!serverContextTakeover) parts.push('server_no_context_takeover');
  let serverWindowBits = config.serverMaxWindowBits;
  if (p.serverMaxWindowBits !== null) {
    // §7.1.2.1: we must not compress with a larger window than offered, and must answer with the one we use.
    // A window of 8: zlib would compress with 9, which a client sized for 8 may not inflate, so we send uncompressed.
    serverWindowBits = Math.min(serverWindowBits, p.serverMaxWindowBits);
  }
  if (p.serverMaxWindowBits !== null || serverWindowBits < 15) parts.push(`server_max_window_bits=${serverWindowBits}`);
  const clientContextTakeover = config.decompress === 'dedicated' && !p.clientNoContextTakeover;
  // §7.1.1.2: the server may ask the client to reset its context after each message even when not offered.
  if (!clientContextTakeover) parts.push('client_no_context_takeover');
  let clientWindowBits = 15;
  if (p.clientMaxWindowBits !== null) {
    // §7.1.2.2: only a client that offered the parameter may be limited, and never above a value it offered.
    clientWindowBits = Math.min(config.clientMaxWindowBits, p.clientMaxWindowBits === true ? 15 : p.clientMaxWindowBits);
    if (clientWindowBits < 15 || p.clientMaxWindowBits !== true) parts.push(`client_max_window_bits=${clientWindowBits}`);
  }
  const response = parts.join('; ');
  let params = agreed.get(response);
  if (params === undefined) {
    params = Object.freeze({ serverWindowBits, serverContextTakeover, clientWindowBits, clientContextTakeover, response });
    agreed.set(response, params);
  }
  return params;
}

/**
 * One frozen DeflateParams per response: the response names all four values, and every socket that agreed to the same
 * holds the same object (memory per idle WebSocket). At most a few hundred combinations exist.
 */
const agreed = new Map<string, DeflateParams>();
