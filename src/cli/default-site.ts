// The site `sluice serve` shows when given no directory: an index page and its stylesheet, embedded as string
// constants so it works from any npm install (no files to locate at run time). Served from memory with strong ETags.

import { createHash } from 'node:crypto';
import { evaluateConditionals } from '../middleware/index.js';
import { type Request, respond, type Application, type Response } from '../server/index.js';

/** The welcome page. */
export const DEFAULT_INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sluice is running</title>
  <link rel="stylesheet" href="/style.css">
</head>
<body>
  <main>
    <h1>Sluice is running</h1>
    <p>This is the built-in page of <code>sluice serve</code>, a Warp-style HTTP/1.1 server for Node.js.</p>
    <p>Serve your own files by naming a directory:</p>
    <pre>npx sluice serve ./public --port 8080 --workers auto --gzip</pre>
    <p>Run <code>npx sluice --help</code> for every option.</p>
  </main>
</body>
</html>
`;

/** The welcome page's stylesheet. */
export const DEFAULT_STYLE_CSS = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; display: grid; min-height: 100vh; place-items: center; }
main { max-width: 40rem; padding: 2rem; line-height: 1.5; }
h1 { font-size: 2rem; margin-top: 0; }
pre, code { font-family: ui-monospace, monospace; }
pre { padding: 1rem; border-radius: 0.5rem; background: rgba(127, 127, 127, 0.15); overflow-x: auto; }
`;

/** One embedded file, ready to send. */
interface EmbeddedFile {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

/** The default site's files by request path. */
export const DEFAULT_SITE_PATHS: readonly string[] = ['/', '/index.html', '/style.css'];

/** The embedded site as an Application: GET/HEAD of its files with ETags (304 on a match), 404 and 405 otherwise. */
export function defaultSite(): Application {
  const html = embed(DEFAULT_INDEX_HTML, 'text/html; charset=utf-8');
  const files = new Map<string, EmbeddedFile>([
    ['/', html],
    ['/index.html', html],
    ['/style.css', embed(DEFAULT_STYLE_CSS, 'text/css; charset=utf-8')],
  ]);
  // Stands in for a file mtime in If-Modified-Since checks: the content cannot have changed since the process began.
  const startedAt = Date.now();
  return (req: Request): Response => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return respond.text(405, 'Method Not Allowed\n', { allow: 'GET, HEAD' });
    const file = files.get(req.path);
    if (file === undefined) return respond.text(404, 'Not Found\n');
    const outcome = evaluateConditionals({
      method: req.method,
      ifNoneMatch: req.head.ifNoneMatch ?? undefined,
      ifModifiedSince: req.head.ifModifiedSince ?? undefined,
    }, { etag: file.etag, mtimeMs: startedAt });
    if (outcome.kind === 'not-modified') return respond(304, { etag: file.etag });
    return respond(200, { 'content-type': file.contentType, etag: file.etag, 'cache-control': 'no-cache' }, file.body);
  };
}

function embed(text: string, contentType: string): EmbeddedFile {
  const body = Buffer.from(text, 'utf8');
  // A content hash is a strong validator by construction (RFC 9110 §8.8.3).
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, contentType, etag };
}
