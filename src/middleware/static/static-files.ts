// The static file application (issue #6): GET/HEAD of files under one root, index.html for directories, a redirect
// for a directory without its slash, 405 otherwise. Key decision: the app is synchronous and looks files up only
// through the shared caches, so a hot file costs no syscall here and the engine's sendfile sees the same FileInfo.

import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileCaches, type FileCaches } from '../../server/file-caches.js';
import type { Request } from '../../server/request.js';
import { respond } from '../../server/response.js';
import type { Application, Middleware, Response } from '../../server/types.js';
import { respondWithFile } from './file-response.js';
import { resolveSafePath, type SafePathOptions } from './safe-path.js';
import { resolveStaticOptions, type ResolvedStaticOptions, type StaticOptions } from './static-options.js';
import { TargetCache } from './target-cache.js';

export type { StaticOptions } from './static-options.js';

/** What the static app decided: an answer, or a miss (404 / 405) that serveStatic may hand to the wrapped app. */
export type StaticOutcome =
  | { kind: 'answer'; response: Response }
  | { kind: 'miss'; response: Response };

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
const NOT_FOUND = respond.text(404, 'Not Found\n');
const BAD_REQUEST = respond.text(400, 'Bad Request\n');
const METHOD_NOT_ALLOWED = respond.text(405, 'Method Not Allowed\n', { allow: ALLOWED_METHODS });

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

/** The static app's decision procedure, for callers that want to tell answers from misses. */
export function createStaticLookup(root: string, options: StaticOptions = {}): (req: Request) => StaticOutcome {
  const resolved = resolveStaticOptions(options);
  const realRoot = resolveStaticRoot(root);
  const caches = options.caches ?? fileCaches();
  const safePathOptions: SafePathOptions = {
    dotfiles: resolved.hideDotfiles ? 'deny' : 'allow',
    realpath: (path) => caches.info.realpath(path),
  };
  // The memo passes a realpath that notes whether each answer came from the (watched) cache.
  const targets = new TargetCache(caches.info, (path, realpath) => resolveSafePath(realRoot, path, { ...safePathOptions, realpath }));
  return (req) => lookupRequest(req, caches, resolved, targets);
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

function lookupRequest(req: Request, caches: FileCaches, options: ResolvedStaticOptions, targets: TargetCache): StaticOutcome {
  const method = req.method;
  if (method !== 'GET' && method !== 'HEAD') return miss(METHOD_NOT_ALLOWED);
  const target = targets.lookup(req.path);
  // 400: malformed or traversal-shaped; 404: hidden, outside the root or missing (no hint of existence either way).
  if (target.kind === 'reject') return target.status === 404 ? miss(NOT_FOUND) : answer(BAD_REQUEST);
  const stat = caches.info.get(target.path);
  if (stat === null) return miss(NOT_FOUND);
  if (stat.kind === 'file') return answer(respondWithFile(req, stat, caches, options));
  // A directory: relative links in its index resolve against the URL, so it must end in '/'.
  if (!target.trailingSlash) return answer(redirectToSlash(req));
  if (options.index === null) return miss(NOT_FOUND);
  // The index goes through the same checks as any path: it may be a symlink out of the root, or a directory.
  const index = targets.lookup(req.path + encodeURIComponent(options.index));
  if (index.kind === 'reject') return miss(NOT_FOUND);
  const indexStat = caches.info.get(index.path);
  if (indexStat === null || indexStat.kind !== 'file') return miss(NOT_FOUND);
  return answer(respondWithFile(req, indexStat, caches, options));
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

function miss(response: Response): StaticOutcome {
  return { kind: 'miss', response };
}
