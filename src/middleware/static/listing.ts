// Directory listings (`listing: true`, `--list`): an HTML table (directories first, then files, each sorted by name,
// with sizes and modification dates), or JSON when the client prefers application/json. Key decisions: every name is
// HTML-escaped and every link percent-encoded and relative (`./name`), so a file named `<script>` or `javascript:x` is
// inert text; entries the app would refuse (hidden dotfiles, symlinks the policy forbids, FIFOs) are not listed.
import { readdirSync } from 'node:fs';
import { respond, type FileCaches, type Response } from '../../server/index.js';
import { prefersJson } from './accept.js';
import type { ResolvedStaticOptions } from './static-options.js';

/** One listed entry. */
export interface ListingEntry {
  readonly name: string;
  readonly type: 'file' | 'directory';
  /** Bytes, or null for a directory. */
  readonly size: number | null;
  readonly mtimeMs: number;
}

/** At most this many entries are listed (the rest are counted): a listing is built synchronously. */
export const MAX_LISTED_ENTRIES = 10_000;

/** The entries of directory `dir` (a real path under `root`) a client may see, sorted, and how many were left out by the cap. */
export function readListing(dir: string, root: string, caches: FileCaches, options: ResolvedStaticOptions): { entries: ListingEntry[]; omitted: number } {
  const entries: ListingEntry[] = [];
  let omitted = 0;
  const atRoot = dir === root;
  for (const dirent of readdirSync(dir, { withFileTypes: true })) {
    const name = dirent.name;
    if (options.dotfiles !== 'allow' && name.startsWith('.') && !(atRoot && name === '.well-known')) continue;
    const path = `${dir}/${name}`;
    if (dirent.isSymbolicLink() && !isListableLink(path, root, caches, options)) continue;
    const stat = caches.info.get(path);
    if (stat === null) continue;
    if (entries.length === MAX_LISTED_ENTRIES) {
      omitted++;
      continue;
    }
    entries.push({ name, type: stat.kind, size: stat.kind === 'file' ? stat.size : null, mtimeMs: stat.mtimeMs });
  }
  entries.sort(compareEntries);
  return { entries, omitted };
}

/** The listing response for a request: HTML, or JSON when the client prefers it; `Vary: Accept` either way. */
export function respondWithListing(urlPath: string, accept: string | undefined, listing: { entries: ListingEntry[]; omitted: number }): Response {
  // The listing changes whenever the directory does and carries no validator: caches must ask again every time.
  const common = { vary: 'Accept', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' };
  if (prefersJson(accept)) {
    const body = {
      path: urlPath,
      entries: listing.entries.map((e) => ({ name: e.name, type: e.type, size: e.size, modified: new Date(e.mtimeMs).toISOString() })),
      omitted: listing.omitted,
    };
    return respond(200, { 'content-type': 'application/json; charset=utf-8', ...common }, JSON.stringify(body));
  }
  return respond(200, { 'content-type': 'text/html; charset=utf-8', ...common }, renderListingHtml(urlPath, listing.entries, listing.omitted));
}

/** The HTML page for a listing of `urlPath` (already decoded; escaped here). */
export function renderListingHtml(urlPath: string, entries: readonly ListingEntry[], omitted = 0): string {
  const title = `Index of ${escapeHtml(urlPath)}`;
  const rows = entries.map((e) => {
    const label = e.type === 'directory' ? `${e.name}/` : e.name;
    const href = `./${encodeURIComponent(e.name)}${e.type === 'directory' ? '/' : ''}`;
    const size = e.size === null ? '-' : `<span title="${e.size} bytes">${formatSize(e.size)}</span>`;
    const modified = new Date(e.mtimeMs).toISOString();
    return `<tr><td><a href="${escapeHtml(href)}">${escapeHtml(label)}</a></td><td>${size}</td>` +
      `<td><time datetime="${modified}">${modified.slice(0, 16).replace('T', ' ')} UTC</time></td></tr>`;
  });
  if (urlPath !== '/') rows.unshift('<tr><td><a href="../">../</a></td><td></td><td></td></tr>');
  const more = omitted > 0 ? `<p>${omitted} more entries not listed.</p>\n` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{padding:.2rem 1rem;text-align:left}td:nth-child(2){text-align:right}</style>
</head>
<body>
<h1>${title}</h1>
<table>
<thead><tr><th>Name</th><th>Size</th><th>Modified</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${more}</body>
</html>
`;
}

/** Text safe inside HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Bytes as people read them: 512 B, 1.5 KiB, 20 MiB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

// Directories first, then by name in code-point order (stable across locales, as nginx's autoindex).
function compareEntries(a: ListingEntry, b: ListingEntry): number {
  if (a.type !== b.type) return a.type === 'directory' ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

// A link is listed when the app would serve through it: never under 'deny', only to a target under the root for 'within'.
function isListableLink(path: string, root: string, caches: FileCaches, options: ResolvedStaticOptions): boolean {
  if (options.symlinks === 'follow') return true;
  if (options.symlinks === 'deny') return false;
  const base = root.endsWith('/') ? root : root + '/';
  const real = caches.info.realpath(path);
  if (real === null || !real.startsWith(base)) return false;
  // A link under the root to a hidden file is as hidden as the file.
  return options.dotfiles === 'allow' || !real.slice(base.length).split('/').some((s, i) => s.startsWith('.') && !(i === 0 && s === '.well-known'));
}
