// The static file application (issues #6, #16): GET/HEAD of files under one root, index.html for directories, a
// redirect for a directory without its slash, 405 otherwise; listings, clean URLs, the SPA fallback and the not-found
// page are options, each in its own file. Key decision: the app is synchronous and looks files up only through the
// shared caches, so a hot file costs no stat here and the engine's sendfile sees the same FileInfo and fd.
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  fileCaches,
  type FileCaches,
  type Request,
  respond,
  type Application,
  type Middleware,
  type Response,
} from '../../server/index.js';
import { cleanPathOf, htmlCandidate, redirectToClean } from './clean-urls.js';
import { respondWithFile } from './file-response.js';
import { readListing, respondWithListing } from './listing.js';
import { createMissResponder } from './not-found.js';
import { isOutOfDescriptors, SERVICE_UNAVAILABLE } from './out-of-fds.js';
import { resolveSafePath, type SafePathOptions } from './safe-path.js';
import { resolveStaticOptions, type ResolvedStaticOptions, type StaticOptions } from './static-options.js';
import { TargetCache } from './target-cache.js';

export type { StaticOptions } from './static-options.js';

/** What the static app decided: an answer, or a miss (404 / 405) that serveStatic may hand to the wrapped app. */
export type StaticOutcome =
  | { readonly kind: 'answer'; readonly response: Response }
  | { readonly kind: 'miss'; readonly response: Response };

/** A bad static root: the directory is missing, not a directory, or unreadable (code ENOENT / ENOTDIR / EACCES). */
export class StaticRootError extends Error {
  constructor(readonly code: string, readonly root: string, message: string) {
    super(message);
    this.name = 'StaticRootError';
  }
}

/** RFC 9110 §15.5.6: a 405 lists the methods the resource supports in Allow. */
export const ALLOWED_METHODS = 'GET, HEAD';

// Shared, immutable answers: the engine only reads a Response, so one object serves every request.
const BAD_REQUEST = respond.text(400, 'Bad Request\n');
const FORBIDDEN = respond.text(403, 'Forbidden\n');
const METHOD_NOT_ALLOWED = respond.text(405, 'Method Not Allowed\n', { allow: ALLOWED_METHODS });
const METHOD_MISS: StaticOutcome = { kind: 'miss', response: METHOD_NOT_ALLOWED };

/** Serves the files under `root` (GET and HEAD; everything else 405): `serve({ port }, staticFiles('./public'))`. */
export function staticFiles(root: string, options: StaticOptions = {}): Application {
  const lookup = createStaticLookup(root, options);
  return (req) => lookup(req).response;
}

/** Middleware form: answers what it can serve; with `fallthrough` (default) a 404 or 405 goes to the wrapped app. */
export function serveStatic(root: string, options: StaticOptions = {}): Middleware {
  const lookup = createStaticLookup(root, options);
  const fallthrough = resolveStaticOptions(options).fallthrough;
  return (next) => (req) => {
    const outcome = lookup(req);
    return outcome.kind === 'miss' && fallthrough ? next(req) : outcome.response;
  };
}

/** Everything a lookup needs, fixed at construction. */
interface Site {
  readonly root: string;
  readonly caches: FileCaches;
  readonly options: ResolvedStaticOptions;
  readonly safe: SafePathOptions;
  readonly respondToMiss: (req: Request) => Response;
  /** Request path -> safe target, memoized while the watched file caches drop nothing. */
  readonly targets: TargetCache;
}

/** The static app's decision procedure, for callers that want to tell answers from misses. */
export function createStaticLookup(root: string, options: StaticOptions = {}): (req: Request) => StaticOutcome {
  const resolved = resolveStaticOptions(options);
  const realRoot = resolveStaticRoot(root);
  const caches = options.caches ?? fileCaches();
  const safe: SafePathOptions = {
    dotfiles: resolved.dotfiles === 'allow' ? 'allow' : 'deny',
    symlinks: resolved.symlinks,
    realpath: (path) => caches.info.realpath(path),
  };
  const site: Site = {
    root: realRoot,
    caches,
    options: resolved,
    safe,
    respondToMiss: createMissResponder(realRoot, caches, resolved),
    // The memo passes a realpath that notes whether each answer came from the (watched) cache.
    targets: new TargetCache(caches.info, (path, realpath) => resolveSafePath(realRoot, path, { ...safe, realpath })),
  };
  return (req) => {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return METHOD_MISS;
    try {
      return lookupPath(req, site);
    } catch (err) {
      if (isOutOfDescriptors(err)) return answer(SERVICE_UNAVAILABLE);
      throw err;
    }
  };
}

/** The realpath of a static root, checked to be a directory; throws StaticRootError naming the problem. */
export function resolveStaticRoot(root: string): string {
  const absolute = resolve(root);
  let real: string;
  try {
    real = realpathSync.native(absolute);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'ENOENT';
    throw new StaticRootError(code, absolute, code === 'EACCES' ? `no permission to read directory ${absolute}` : `directory ${absolute} does not exist`);
  }
  if (!statSync(real).isDirectory()) throw new StaticRootError('ENOTDIR', absolute, `${absolute} is not a directory`);
  try {
    // Listing needs r, reaching files needs x: check both now rather than 404 every request later.
    accessSync(real, constants.R_OK | constants.X_OK);
  } catch {
    throw new StaticRootError('EACCES', absolute, `no permission to read directory ${absolute}`);
  }
  return real;
}

function lookupPath(req: Request, site: Site): StaticOutcome {
  const { root, caches, options, safe } = site;
  const target = site.targets.lookup(req.path);
  if (target.kind === 'reject') {
    // 400: malformed or traversal-shaped; 403: a dotfile under dotfiles: 'deny'; 404: hidden, outside the root or
    // missing (no hint of existence either way).
    if (target.status === 400) return answer(BAD_REQUEST);
    if (target.code === 'DOTFILE' && options.dotfiles === 'deny') return answer(FORBIDDEN);
    return target.code === 'NOT_FOUND' ? lookupCleanUrl(req, site) : missing(req, site);
  }
  const stat = caches.info.get(target.path);
  if (stat === null) return lookupCleanUrl(req, site);
  if (stat.kind === 'file') {
    // `file.txt/` names a directory that is not there (realpath refuses it; under 'follow' nothing resolved it).
    if (target.trailingSlash) return missing(req, site);
    const clean = options.cleanUrls ? cleanPathOf(req.path, options.index) : null;
    if (clean !== null) return answer(redirectToClean(req, clean));
    return answer(respondWithFile(req, stat, caches, options));
  }
  // A directory: relative links in its index resolve against the URL, so it must end in '/'.
  if (!target.trailingSlash) return answer(redirectToSlash(req));
  if (options.index !== null) {
    // The index goes through the same checks as any path: it may be a symlink out of the root, or a directory.
    const index = resolveSafePath(root, req.path + encodeURIComponent(options.index), safe);
    const indexStat = index.kind === 'ok' ? caches.info.get(index.path) : null;
    if (indexStat !== null && indexStat.kind === 'file') return answer(respondWithFile(req, indexStat, caches, options));
  }
  if (options.listing) {
    const listing = readListing(target.path, root, caches, options);
    return answer(respondWithListing(req.decodedPathname ?? req.path, req.header('accept'), listing));
  }
  return missing(req, site);
}

// Clean URLs: `/about` found nothing, so try `/about.html` under the same checks.
function lookupCleanUrl(req: Request, site: Site): StaticOutcome {
  const candidate = site.options.cleanUrls ? htmlCandidate(req.path) : null;
  if (candidate !== null) {
    const target = resolveSafePath(site.root, candidate, site.safe);
    const stat = target.kind === 'ok' ? site.caches.info.get(target.path) : null;
    if (stat !== null && stat.kind === 'file') return answer(respondWithFile(req, stat, site.caches, site.options));
  }
  return missing(req, site);
}

// The miss's response (SPA fallback or not-found page) is made only when asked for: serveStatic may fall through.
function missing(req: Request, site: Site): StaticOutcome {
  let response: Response | null = null;
  return {
    kind: 'miss',
    get response(): Response {
      if (response === null) {
        try {
          response = site.respondToMiss(req);
        } catch (err) {
          if (!isOutOfDescriptors(err)) throw err;
          response = SERVICE_UNAVAILABLE;
        }
      }
      return response;
    },
  };
}

/** 301 to the same path plus '/', query kept (RFC 9110 §15.4.2). */
export function redirectToSlash(req: Request): Response {
  // Collapse leading slashes: a Location of `//host/` would be a network-path reference, i.e. an open redirect.
  const path = '/' + req.path.replace(/^\/+/, '') + '/';
  const location = req.query === '' ? path : `${path}?${req.query}`;
  return respond(301, { location, 'content-type': 'text/plain; charset=utf-8' }, `Moved Permanently: ${location}\n`);
}

function answer(response: Response): StaticOutcome {
  return { kind: 'answer', response };
}
