// Request-target forms (RFC 9112 §3.2) and percent-decoding. The raw target is always kept; decoding is a
// separate, explicit call because a static server must decode exactly once, after routing decisions.

/** Which of the four RFC 9112 §3.2 request-target forms a request used. */
export type TargetForm = 'origin' | 'absolute' | 'authority' | 'asterisk';

/** A classified request-target: raw path and query (no decoding), and the authority for absolute/authority forms. */
export interface Target {
  kind: TargetForm;
  /** Raw path: '/…' for origin and absolute forms, '*' for asterisk, '' for authority-form. */
  path: string;
  /** Raw query after '?', '' when absent. */
  query: string;
  /** host[:port] from absolute-form or authority-form, '' otherwise. */
  authority: string;
}

const SLASH = 0x2f;
const QUESTION = 0x3f;

/** Classifies a raw request-target for a method; null means 400 (form not allowed for this method, or malformed). */
export function parseTarget(method: string, raw: string): Target | null {
  // Hot path: origin-form, RFC 9112 §3.2.1.
  if (raw.charCodeAt(0) === SLASH) {
    if (method === 'CONNECT') return null; // RFC 9112 §3.2.3: CONNECT uses authority-form only
    const q = raw.indexOf('?');
    return q < 0
      ? { kind: 'origin', path: raw, query: '', authority: '' }
      : { kind: 'origin', path: raw.slice(0, q), query: raw.slice(q + 1), authority: '' };
  }
  if (method === 'CONNECT') return parseAuthorityForm(raw);
  if (raw === '*') {
    // RFC 9112 §3.2.4: asterisk-form is only for a server-wide OPTIONS.
    return method === 'OPTIONS' ? { kind: 'asterisk', path: '*', query: '', authority: '' } : null;
  }
  return parseAbsoluteForm(raw);
}

/** RFC 9112 §3.2.2: `http(s)://authority[path][?query]`; userinfo and an empty host are errors (RFC 9110 §4.2.1, §4.2.4). */
function parseAbsoluteForm(raw: string): Target | null {
  const sep = raw.indexOf('://');
  if (sep < 0) return null;
  const scheme = raw.slice(0, sep).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return null;
  const from = sep + 3;
  let to = from;
  while (to < raw.length) {
    const c = raw.charCodeAt(to);
    if (c === SLASH || c === QUESTION) break;
    to++;
  }
  const authority = raw.slice(from, to);
  if (authority.length === 0 || !isValidHost(authority) || authority.charCodeAt(0) === 0x3a) return null;
  const rest = raw.slice(to);
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  return { kind: 'absolute', path: path === '' ? '/' : path, query: q < 0 ? '' : rest.slice(q + 1), authority };
}

/** RFC 9112 §3.2.3: authority-form is `uri-host ":" port`, port required. */
function parseAuthorityForm(raw: string): Target | null {
  const colon = raw.lastIndexOf(':');
  if (colon <= 0 || colon === raw.length - 1 || raw.indexOf(']', colon) >= 0) return null;
  if (!isValidHost(raw)) return null;
  return { kind: 'authority', path: '', query: '', authority: raw };
}

/**
 * isValidHost on the bytes buf[start,end) of a received head: the common reg-name[:port] form is checked on bytes (no
 * per-char string access, this runs per request); an IP-literal falls back to the string check.
 */
export function isValidHostBytes(buf: Uint8Array, start: number, end: number, value: string): boolean {
  if (start < end && buf[start] === 0x5b) return isValidHost(value);
  let i = start;
  while (i < end && buf[i] !== 0x3a) {
    if (REG_NAME[buf[i]!] !== 1) return false;
    i++;
  }
  if (i === end) return true;
  for (let k = i + 1; k < end; k++) {
    const c = buf[k]!;
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Whether a Host value (or authority) is `uri-host [":" port]` per RFC 9110 §7.2 / RFC 3986 §3.2.2; '' is valid. */
export function isValidHost(value: string): boolean {
  let i = 0;
  const n = value.length;
  if (n > 0 && value.charCodeAt(0) === 0x5b) {
    // IP-literal: '[' IPv6 / IPvFuture ']'
    const close = value.indexOf(']');
    if (close < 2) return false;
    for (let k = 1; k < close; k++) if (!isIpLiteralChar(value.charCodeAt(k))) return false;
    i = close + 1;
  } else {
    while (i < n && value.charCodeAt(i) !== 0x3a) {
      if (!isRegNameChar(value.charCodeAt(i))) return false;
      i++;
    }
  }
  if (i === n) return true;
  if (value.charCodeAt(i) !== 0x3a) return false;
  for (let k = i + 1; k < n; k++) {
    const c = value.charCodeAt(k);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** 1 for RFC 3986 reg-name bytes: unreserved / pct-encoded / sub-delims (a table: Host is checked per request). */
const REG_NAME: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0; c < 128; c++) {
    t[c] = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)
      || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e || c === 0x25 // - . _ ~ %
      || c === 0x21 || c === 0x24 || (c >= 0x26 && c <= 0x2c) || c === 0x3b || c === 0x3d ? 1 : 0; // ! $ & ' ( ) * + , ; =
  }
  return t;
})();

/** RFC 3986 reg-name: unreserved / pct-encoded / sub-delims. */
function isRegNameChar(c: number): boolean {
  return c < 256 && REG_NAME[c] === 1;
}

/** Characters inside '[' ']': hex digits, ':' and '.', plus the IPvFuture unreserved/sub-delims set. */
function isIpLiteralChar(c: number): boolean {
  return c === 0x3a || isRegNameChar(c);
}

/** Decodes %XX escapes as UTF-8; returns the input itself when it has no '%', null when malformed. */
export function decodePercent(raw: string): string | null {
  if (raw.indexOf('%') < 0) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null; // bad escape or invalid UTF-8: the caller answers 400
  }
}

/** Decodes an application/x-www-form-urlencoded component ('+' is a space); null when malformed. */
export function decodeFormComponent(raw: string): string | null {
  return decodePercent(raw.indexOf('+') < 0 ? raw : raw.replaceAll('+', ' '));
}
