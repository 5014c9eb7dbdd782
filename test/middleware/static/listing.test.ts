// Directory listing rendering: escaping, sizes, ordering of parent links, and the omitted-entries note.
import test from 'ava';
import { escapeHtml, formatSize, renderListingHtml } from '../../../src/middleware/static/listing.js';

test('escapeHtml makes text safe in content and in quoted attributes', (t) => {
  t.is(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});

test('formatSize uses binary units', (t) => {
  t.is(formatSize(0), '0 B');
  t.is(formatSize(1023), '1023 B');
  t.is(formatSize(1536), '1.5 KiB');
  t.is(formatSize(20 * 1024 * 1024), '20 MiB');
  t.is(formatSize(3 * 1024 ** 4), '3.0 TiB');
  t.is(formatSize(5000 * 1024 ** 4), '5000 TiB');
});

test('renderListingHtml has no parent link at the root, escapes the title, and notes omitted entries', (t) => {
  const root = renderListingHtml('/', [{ name: 'a', type: 'file', size: 1, mtimeMs: 0 }]);
  t.false(root.includes('href="../"'));
  t.true(root.includes('<title>Index of /</title>'));
  const sub = renderListingHtml('/<b>/', [], 3);
  t.true(sub.includes('href="../"'));
  t.true(sub.includes('Index of /&lt;b&gt;/'));
  t.true(sub.includes('<p>3 more entries not listed.</p>'));
});
