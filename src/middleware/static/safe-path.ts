// Request path -> real file path under the root, refusing traversal (issue #6). Key decisions: decode exactly once and
// refuse anything that would need a second decode; malformed or traversal-shaped paths get 400, while dotfiles and
// symlinks leaving the root get 404 so the answer does not reveal whether the file exists. The symlink policy costs
// one (cached) realpath per request for 'within' and 'deny', and nothing for 'follow'.

import { realpathSync } from 'node:fs';

/** Why a path was refused. */
export type SafePathCode =
  | 'NOT_ABSOLUTE' // not origin-form: does not start with '/' (RFC 9112 §3.2.1)
  | 'BAD_CHARACTER' // a control, space, backslash or non-ASCII character, raw or percent-encoded
  | 'BAD_ENCODING' // '%' not followed by two hex digits, or bytes that are not valid (e.g. overlong) UTF-8
  | 'ENCODED_SEPARATOR' // %2F or %5C: would smuggle a separator past segment checks
  | 'DOUBLE_ENCODING' // the decoded path still contains %XX (e.g. %252e)
  | 'NUL' // %00 or a raw NUL
  | 'DOT_SEGMENT' // a '.' or '..' segment
  | 'DOTFILE' // a segment starting with '.', hidden by default
  | 'OUTSIDE_ROOT' // the real path (symlinks resolved) is not under the root
  | 'SYMLINK' // a symlink on the path, with symlinks: 'deny'
  | 'NOT_FOUND'; // the path does not resolve to anything

/** The outcome: a real path under the root (plus whether the request ended in '/'), or a refusal with its status. */
export type SafePath =
  | { kind: 'ok'; path: string; trailingSlash: boolean }
  | { kind: 'reject'; status: 400 | 404; code: SafePathCode };

/** Options: dotfile policy, whether /.well-known/ is exempt (RFC 8615), symlinks, and the realpath to use (e.g. a cached one). */
export interface SafePathOptions {
  /** 'deny' (default) refuses any segment starting with '.' (404, code DOTFILE); 'allow' lets them through. */
  dotfiles?: 'deny' | 'allow';
  wellKnown?: boolean;
  /** 'within' (default): a symlink's target must stay under the root; 'follow': any, unchecked; 'deny': none. */
  symlinks?: 'within' | 'follow' | 'deny';
  realpath?: (path: string) => string | null;
}

const FATAL_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// Matched against the decoded path: a '%' there came from %25, and %25XX is a second layer of encoding.
const ENCODED_AGAIN = /%[0-9A-Fa-f]{2}/;

/** Map a request path to a real path under `root` (which must itself be a realpath), or say why not. */
export function resolveSafePath(root: string, rawPath: string, options: SafePathOptions = {}): SafePath {
  const query = rawPath.indexOf('?');
  const target = query === -1 ? rawPath : rawPath.slice(0, query);
  if (target.charCodeAt(0) !== 0x2f) return reject(400, 'NOT_ABSOLUTE');
  const decoded = decodePath(target);
  if (typeof decoded !== 'string') return decoded;
  const hideDotfiles = options.dotfiles !== 'allow';
  const wellKnown = options.wellKnown ?? true;
  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    // Empty segments ('//') are collapsed: they name nothing on a POSIX filesystem.
    if (segment === '') continue;
    // RFC 3986 §5.2.4: clients remove dot segments before sending, so one on the wire is a traversal attempt.
    if (segment === '.' || segment === '..') return reject(400, 'DOT_SEGMENT');
    if (hideDotfiles && isHidden(segment, segments.length === 0, wellKnown)) return reject(404, 'DOTFILE');
    segments.push(segment);
  }
  const base = root.endsWith('/') ? root : root + '/';
  const trailingSlash = target.endsWith('/');
  const lexical = segments.length === 0 ? root : base + segments.join('/');
  // 'follow': the lexical path (dot segments are refused above, so it names a place under the root); stat follows
  // whatever links it crosses, and the caller checks that `file.txt/` is not a file.
  if (options.symlinks === 'follow') return { kind: 'ok', path: lexical, trailingSlash };
  // The trailing slash is kept so that resolving `file.txt/` fails with ENOTDIR, as POSIX path resolution does.
  const real = (options.realpath ?? realpathOrNull)(lexical + (trailingSlash && segments.length > 0 ? '/' : ''));
  if (real === null) return reject(404, 'NOT_FOUND');
  // The root is a realpath, so any link on the way makes the real path differ from the lexical one.
  if (options.symlinks === 'deny' && real !== lexical) return reject(404, 'SYMLINK');
  // Symlinks are followed, so the check that matters is on the resolved path.
  if (real !== root && !real.startsWith(base)) return reject(404, 'OUTSIDE_ROOT');
  if (hideDotfiles && real !== root && hasHiddenSegment(real.slice(base.length), wellKnown)) return reject(404, 'DOTFILE');
  return { kind: 'ok', path: real, trailingSlash };
}

/** fs.realpathSync.native, with any failure (ENOENT, ELOOP, EACCES, ENAMETOOLONG…) as null. */
export function realpathOrNull(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
}

function reject(status: 400 | 404, code: SafePathCode): SafePath {
  return { kind: 'reject', status, code };
}

function isHidden(segment: string, first: boolean, wellKnown: boolean): boolean {
  return segment.charCodeAt(0) === 0x2e && !(first && wellKnown && segment === '.well-known');
}

function hasHiddenSegment(relative: string, wellKnown: boolean): boolean {
  const segments = relative.split('/');
  for (let i = 0; i < segments.length; i++) if (isHidden(segments[i]!, i === 0, wellKnown)) return true;
  return false;
}

// Percent-decode once (RFC 3986 §2.1) into bytes, then into strict UTF-8 (overlong forms and surrogates fail).
function decodePath(target: string): string | SafePath {
  let hasPercent = false;
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === 0) return reject(400, 'NUL');
    // RFC 9112 §3.2: the request-target is visible ASCII. A backslash is a separator on some platforms and in WHATWG URLs.
    if (c <= 0x20 || c >= 0x7f || c === 0x5c) return reject(400, 'BAD_CHARACTER');
    if (c === 0x25) hasPercent = true;
  }
  if (!hasPercent) return target;
  const bytes = new Uint8Array(target.length);
  let n = 0;
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c !== 0x25) {
      bytes[n++] = c;
      continue;
    }
    const hi = hexValue(target.charCodeAt(i + 1));
    const lo = hexValue(target.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) return reject(400, 'BAD_ENCODING');
    const byte = hi * 16 + lo;
    if (byte === 0x2f || byte === 0x5c) return reject(400, 'ENCODED_SEPARATOR');
    if (byte === 0) return reject(400, 'NUL');
    if (byte < 0x20 || byte === 0x7f) return reject(400, 'BAD_CHARACTER');
    bytes[n++] = byte;
    i += 2;
  }
  let decoded: string;
  try {
    decoded = FATAL_UTF8.decode(bytes.subarray(0, n));
  } catch {
    return reject(400, 'BAD_ENCODING');
  }
  // Documented choice: any %25 that yields '%' + two hex digits is refused, even if a file is literally named so.
  if (ENCODED_AGAIN.test(decoded)) return reject(400, 'DOUBLE_ENCODING');
  return decoded;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
