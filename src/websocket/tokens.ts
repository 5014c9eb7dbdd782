// Token lists in handshake fields (RFC 9110 §5.6.1-§5.6.2): Connection, Upgrade and Sec-WebSocket-Protocol.
// Kept here rather than borrowed from server/, whose token table is internal to the head parser.

/** 1 for RFC 9110 §5.6.2 tchar bytes, else 0. */
export const TOKEN: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (const c of "!#$%&'*+-.^_`|~") t[c.charCodeAt(0)] = 1;
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  return t;
})();

/** Whether `s` is a non-empty token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || TOKEN[c] !== 1) return false;
  }
  return true;
}

/** The elements of a comma-separated list, OWS trimmed, empty elements dropped (RFC 9110 §5.6.1). */
export function listElements(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const element = part.trim();
    if (element !== '') out.push(element);
  }
  return out;
}

/** Whether a list field's value has an element equal to `lower` (an already lower-case literal), ignoring case. */
export function hasListElement(value: string | null | undefined, lower: string): boolean {
  if (value === null || value === undefined) return false;
  // The usual field is that one element alone ("websocket", "Upgrade"): compared in place, nothing allocated.
  if (value.length === lower.length && equalsAsciiLower(value, lower)) return true;
  for (const element of listElements(value)) if (element.toLowerCase() === lower) return true;
  return false;
}

/**
 * Whether `s` is `lower` ignoring ASCII case. Field values are Latin-1, where only A-Z lower-case to ASCII, so this
 * agrees with toLowerCase().
 */
function equalsAsciiLower(s: string, lower: string): boolean {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}
