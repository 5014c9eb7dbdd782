// How a file's bytes are labelled: Content-Type from the maintained `mime-types` table (charset for text), and the
// precompressed sibling (file.br, file.gz) to send for an Accept-Encoding. Key decision: siblings are found through the
// caller's (cached) stat and realpath, and a sibling that is a symlink is never used. When siblings are enabled the
// engine sends `Vary: Accept-Encoding` on every response for the path, identity included (RFC 9110 §12.5.5).

import * as mime from 'mime-types';
import { suffixEtag } from './etag.js';

/** Content-Type for files whose extension `mime-types` does not know (RFC 9110 §8.3). */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** The content codings we can serve precompressed, with the sibling's file suffix, in server preference order. */
export const PRECOMPRESSED_CODINGS: readonly PrecompressedCoding[] = [
  { coding: 'br', suffix: '.br' },
  { coding: 'gzip', suffix: '.gz' },
];

/** One content coding served from a sibling file. */
export interface PrecompressedCoding {
  coding: string;
  suffix: string;
}

/** What selectPrecompressed needs from the file-info cache: a cached stat and a cached realpath. */
export interface FileLookup {
  get(path: string): { kind: 'file'; size: number; etag: string } | { kind: 'directory' } | null;
  realpath(path: string): string | null;
}

/** The representation to send: the file itself, or an encoded sibling (send Content-Encoding, its size and etag). */
export type EncodedChoice =
  | { kind: 'identity' }
  | { kind: 'encoded'; coding: string; path: string; size: number; etag: string };

const IDENTITY: EncodedChoice = { kind: 'identity' };
// Hot path: one mime-types lookup per extension for the life of the process (the table is finite).
const typeByExtension = new Map<string, string>();

/** Content-Type for a path from its extension, with `; charset=utf-8` for text types. */
export function contentTypeOf(path: string): string {
  const dot = path.lastIndexOf('.');
  const slash = path.lastIndexOf('/');
  // No extension, or a leading-dot name like `.profile`, is not a type hint.
  if (dot <= slash + 1) return DEFAULT_CONTENT_TYPE;
  const extension = path.slice(dot + 1).toLowerCase();
  let type = typeByExtension.get(extension);
  if (type === undefined) {
    type = mime.contentType(extension) || DEFAULT_CONTENT_TYPE;
    if (mime.types[extension] !== undefined) typeByExtension.set(extension, type);
  }
  return type;
}

/** Parse Accept-Encoding (RFC 9110 §12.5.3) into coding -> qvalue (lower-cased; `*` kept as a key). */
export function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const member of header.split(',')) {
    const [name = '', ...params] = member.split(';');
    const coding = name.trim().toLowerCase();
    if (coding === '') continue;
    let q = 1;
    for (const param of params) {
      const [key = '', value = ''] = param.split('=');
      // §12.4.2: weight = OWS ";" OWS "q=" qvalue; a malformed qvalue makes the member unusable.
      if (key.trim().toLowerCase() === 'q') q = parseQvalue(value.trim());
    }
    // §8.4.1.3: x-gzip is an alias of gzip.
    weights.set(coding === 'x-gzip' ? 'gzip' : coding, q);
  }
  return weights;
}

/** Pick the best acceptable precompressed sibling that exists as a regular, non-symlink file; else identity. */
export function selectPrecompressed(path: string, acceptEncoding: string | undefined, files: FileLookup,
  codings: readonly PrecompressedCoding[] = PRECOMPRESSED_CODINGS): EncodedChoice {
  if (acceptEncoding === undefined || acceptEncoding === '') return IDENTITY;
  const weights = parseAcceptEncoding(acceptEncoding);
  let best: EncodedChoice = IDENTITY;
  let bestQ = 0;
  for (const { coding, suffix } of codings) {
    // §12.5.3: a coding not listed takes the `*` weight when present; q=0 means "not acceptable".
    const q = weights.get(coding) ?? weights.get('*') ?? 0;
    // Strictly greater: ties go to the earlier (server-preferred) coding.
    if (q <= bestQ) continue;
    const sibling = path + suffix;
    const info = files.get(sibling);
    if (info === null || info.kind !== 'file' || files.realpath(sibling) !== sibling) continue;
    best = { kind: 'encoded', coding, path: sibling, size: info.size, etag: suffixEtag(info.etag, coding) };
    bestQ = q;
  }
  return best;
}

// §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ); anything else counts as 0.
function parseQvalue(value: string): number {
  return /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value) ? Number(value) : 0;
}
