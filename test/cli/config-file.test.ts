// The --config file's conversion into flag values: every kind of key, each wrong type named, unknown keys.
import test from 'ava';
import { CONFIG_KEYS, convertConfig } from '../../src/cli/config-file.js';

test('convertConfig maps each key to its flag, with optional flags on, off or valued', (t) => {
  t.deepEqual(convertConfig({
    port: 80, host: '::1', workers: 2, list: true, single: 'app.html', cleanUrls: false, notFound: '404.html', dotfiles: 'deny',
    symlinks: 'follow', precompressed: true, maxAge: 5, immutable: true, immutableHashed: true, cors: 'https://a.example',
    headers: ['X-A: 1'], auth: 'u:p', gzip: true, accessLog: 'a.log', jsonLog: true, quiet: true,
  }, '/etc/s.json'), {
    values: {
      port: '80', host: '::1', workers: '2', list: true, single: 'app.html', 'clean-urls': false, '404': '404.html', dotfiles: 'deny',
      symlinks: 'follow', precompressed: true, 'max-age': '5', immutable: true, 'immutable-hashed': true, cors: 'https://a.example',
      header: ['X-A: 1'], auth: 'u:p', gzip: true, 'access-log': 'a.log', 'json-log': true, quiet: true,
    },
  });
  t.deepEqual(convertConfig({ single: true, cors: true, accessLog: true, dir: '../site' }, '/etc/sluice/s.json'),
    { values: { single: '', cors: '*', 'access-log': '-' }, dir: '/etc/site' });
  t.deepEqual(convertConfig({ single: false, cors: false }, 's.json'), { values: { single: undefined, cors: undefined } });
  t.true(CONFIG_KEYS.includes('cleanUrls'));
});

const wrong = test.macro({
  exec(t, json: Record<string, unknown>, message: string) {
    t.is(convertConfig(json, 's.json'), message);
  },
  title: (_, json: Record<string, unknown>) => `convertConfig names the wrong type of ${JSON.stringify(json)}`,
});
test(wrong, { list: 'yes' }, `s.json: 'list' must be true or false, got "yes"`);
test(wrong, { host: 1 }, `s.json: 'host' must be a string, got 1`);
test(wrong, { maxAge: '5' }, `s.json: 'maxAge' must be a whole number, got "5"`);
test(wrong, { workers: 'many' }, `s.json: 'workers' must be a number or 'auto', got "many"`);
test(wrong, { single: 1 }, `s.json: 'single' must be true, false or a string, got 1`);
test(wrong, { cors: [1] }, `s.json: 'cors' must be true, a string ('*' or origins) or a list of origins, got [1]`);
test(wrong, { headers: 'X-A: 1' }, `s.json: 'headers' must be an object of name: value pairs or a list of 'Name: value' strings, got "X-A: 1"`);
test(wrong, { headers: [1] }, `s.json: 'headers' must be an object of name: value pairs or a list of 'Name: value' strings, got [1]`);
test(wrong, { headers: null }, `s.json: 'headers' must be an object of name: value pairs or a list of 'Name: value' strings, got null`);
test(wrong, { dir: 5 }, `s.json: 'dir' must be a directory path, got 5`);
test(wrong, { prot: 1 }, `s.json: unknown key 'prot' (did you mean 'port'?)`);
