// Clean URLs (`cleanUrls: true`, `--clean-urls`): `/about` serves about.html, and a request that names the .html file
// gets a 308 to the clean form (`/about.html` -> `/about`, `/docs/index.html` -> `/docs/`), as `serve` does. Key
// decision: the redirect is permanent and method-preserving (RFC 9110 §15.4.9), and only for a file that exists.
import { respond, type Request, type Response } from '../../server/index.js';

const HTML_SUFFIX = '.html';

/** The raw path to try for a clean URL that found nothing (`/about` -> `/about.html`), or null when it cannot be one. */
export function htmlCandidate(rawPath: string): string | null {
  if (rawPath.endsWith('/') || rawPath.toLowerCase().endsWith(HTML_SUFFIX)) return null;
  return rawPath + HTML_SUFFIX;
}

/** The clean form of a path that names an .html file (`/a/b.html` -> `/a/b`, `/a/index.html` -> `/a/`), or null. */
export function cleanPathOf(rawPath: string, index: string | null): string | null {
  if (!rawPath.endsWith(HTML_SUFFIX)) return null;
  const slash = rawPath.lastIndexOf('/');
  const name = rawPath.slice(slash + 1);
  if (index !== null && name === index) return rawPath.slice(0, slash + 1);
  const clean = rawPath.slice(0, -HTML_SUFFIX.length);
  // `/.html` has no clean form.
  return clean.endsWith('/') ? null : clean;
}

/** 308 to `cleanPath`, query kept. */
export function redirectToClean(req: Request, cleanPath: string): Response {
  // Collapse leading slashes: a Location of `//host/x` would be a network-path reference, i.e. an open redirect.
  const path = '/' + cleanPath.replace(/^\/+/, '');
  const location = req.query === '' ? path : `${path}?${req.query}`;
  return respond(308, { location, 'content-type': 'text/plain; charset=utf-8' }, `Permanent Redirect: ${location}\n`);
}
