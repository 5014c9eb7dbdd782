// Keep-alive decision (RFC 9112 §9.3) from the Connection header's token list, parsed without regexes or splits
// because it runs once per request.

/** The fields wantsKeepAlive reads; a RequestHead has them. */
export interface KeepAliveInput {
  readonly versionMinor: 0 | 1;
  /** Combined Connection field value, null when absent. */
  readonly connection: string | null;
}

/** RFC 9112 §9.3: HTTP/1.1 persists unless the client sent `close`; HTTP/1.0 persists only with `keep-alive`. */
export function wantsKeepAlive(head: KeepAliveInput): boolean {
  const value = head.connection;
  if (value === null) return head.versionMinor === 1;
  if (hasConnectionOption(value, 'close')) return false;
  return head.versionMinor === 1 || hasConnectionOption(value, 'keep-alive');
}

/** Whether a Connection value (`#connection-option`, RFC 9110 §7.6.1) lists `option` (lower-case), case-insensitively. */
export function hasConnectionOption(value: string, option: string): boolean {
  const n = value.length;
  let i = 0;
  while (i < n) {
    // Skip list separators and OWS, then compare one element in place.
    let c = value.charCodeAt(i);
    while (i < n && (c === 0x2c || c === 0x20 || c === 0x09)) c = value.charCodeAt(++i);
    const from = i;
    while (i < n && value.charCodeAt(i) !== 0x2c) i++;
    let to = i;
    while (to > from && (value.charCodeAt(to - 1) === 0x20 || value.charCodeAt(to - 1) === 0x09)) to--;
    if (to - from === option.length && equalsLowerAscii(value, from, option)) return true;
  }
  return false;
}

/** ASCII case-insensitive comparison of value[from, from+lower.length) with an already lower-case literal. */
function equalsLowerAscii(value: string, from: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) {
    let c = value.charCodeAt(from + k);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(k)) return false;
  }
  return true;
}
