// Clean URL paths: the .html candidate for a miss, and the clean form a .html request redirects to.
import test from 'ava';
import { cleanPathOf, htmlCandidate, redirectToClean } from '../../../src/middleware/static/clean-urls.js';
import { fakeRequest } from '../fake-request.js';

test('htmlCandidate adds .html to a path that could name a page', (t) => {
  t.is(htmlCandidate('/about'), '/about.html');
  t.is(htmlCandidate('/docs/a%20b'), '/docs/a%20b.html');
  t.is(htmlCandidate('/docs/'), null);
  t.is(htmlCandidate('/page.HTML'), null);
});

test('cleanPathOf strips .html, and index.html down to its directory', (t) => {
  t.is(cleanPathOf('/about.html', 'index.html'), '/about');
  t.is(cleanPathOf('/docs/index.html', 'index.html'), '/docs/');
  t.is(cleanPathOf('/docs/index.html', null), '/docs/index');
  t.is(cleanPathOf('/.html', 'index.html'), null);
  t.is(cleanPathOf('/about', 'index.html'), null);
});

test('redirectToClean is a 308 that keeps the query and never becomes a network-path reference', (t) => {
  const res = redirectToClean(fakeRequest('GET', '//evil.example/x.html?a=1'), '//evil.example/x');
  t.is(res.status, 308);
  t.is(res.headers.location, '/evil.example/x?a=1');
});
