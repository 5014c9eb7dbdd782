// What a miss gets (a GET/HEAD with nothing servable at its path): the SPA fallback file (`single`) when the request
// takes HTML, else the not-found page (404.html when present, or the one named) with 404, else a plain-text 404.
// Key decision: a navigation (Accept names text/html) always falls back; a wildcard request (fetch, <img>, <script>)
// only for a path without an extension, so a missing asset still gets its 404 rather than the app's HTML.
import { isAbsolute, join } from 'node:path';
import { OptionError, respond, type FileCaches, type Request, type Response } from '../../server/index.js';
import { htmlAcceptance } from './accept.js';
import { pinFile, respondWithFile } from './file-response.js';
import { contentTypeOf } from './mime.js';
import type { ResolvedStaticOptions } from './static-options.js';

/** The plain-text 404. */
export const NOT_FOUND: Response = respond.text(404, 'Not Found\n');

/** Answers misses under one root; throws OptionError at construction for a named fallback or page that is not a file. */
export function createMissResponder(root: string, caches: FileCaches, options: ResolvedStaticOptions): (req: Request) => Response {
  const single = options.single === null ? null : join(root, options.single);
  const page = options.notFound === null ? null : isAbsolute(options.notFound) ? options.notFound : join(root, options.notFound);
  // A fallback or page the user named must exist now: a typo should fail at start-up, not as a 404 later.
  if (single !== null && options.single !== options.index) requireFile(caches, single, 'single');
  if (page !== null && options.notFoundExplicit) requireFile(caches, page, 'notFound');
  const notFound = (): Response => {
    if (page !== null) {
      const info = caches.info.get(page);
      const pinned = info !== null && info.kind === 'file' ? pinFile(caches, info) : null;
      // RFC 9110 §15.5.5: the page is the representation of the 404; no validators (it is not the target's).
      if (pinned !== null) return respond.file(pinned.path, { status: 404, headers: { 'content-type': contentTypeOf(pinned.path) } });
    }
    return NOT_FOUND;
  };
  if (single === null) return notFound;
  return (req) => {
    let res: Response | null = null;
    if (wantsAppShell(req)) {
      const info = caches.info.get(single);
      if (info !== null && info.kind === 'file') res = respondWithFile(req, info, caches, options);
    }
    // RFC 9110 §12.5.5: with a fallback, the answer for a missing path (shell or 404) depends on Accept.
    return varyOnAccept(res ?? notFound());
  };
}

function varyOnAccept(res: Response): Response {
  const vary = res.headers.vary;
  return { ...res, headers: { ...res.headers, vary: typeof vary === 'string' && vary !== '' ? `${vary}, Accept` : 'Accept' } };
}

/** Whether a missing path should get the single-page app's HTML rather than a 404. */
export function wantsAppShell(req: Request): boolean {
  const html = htmlAcceptance(req.header('accept'));
  return html === 'explicit' || (html === 'wildcard' && !hasExtension(req.path));
}

// `/app.js`, `/img/logo.png`: the last segment ends in a dot and 1-10 letters or digits.
function hasExtension(path: string): boolean {
  return /\.[A-Za-z0-9]{1,10}$/.test(path.slice(path.lastIndexOf('/') + 1));
}

function requireFile(caches: FileCaches, path: string, key: string): void {
  const info = caches.info.get(path);
  if (info === null || info.kind !== 'file') throw new OptionError('INVALID_OPTION', key, `static option ${key}: ${path} is not a file`);
}
