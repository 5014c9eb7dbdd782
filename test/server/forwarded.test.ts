// Forwarded / X-Forwarded-For (forwarded.ts) and the trusted-proxy ranges they are judged by: the walk believes a hop
// only while it stands on a trusted proxy, as nginx's real_ip_recursive does; a non-address ends it.
import test from 'ava';
import { forwardedClient, forwardedHops } from '../../src/server/forwarded.js';
import type { RemoteInfo } from '../../src/server/remote.js';
import { checkTrustedProxy, compileTrustedProxies } from '../../src/server/trusted-proxies.js';

const trusted = compileTrustedProxies(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
const balancer: RemoteInfo = { address: '10.0.0.5', port: 4000, family: 'IPv4', proxy: null };

function client(headers: Array<[string, string]>, peer: RemoteInfo = balancer): RemoteInfo {
  return forwardedClient(peer, headers, trusted);
}

test('X-Forwarded-For: the rightmost address that is not a trusted proxy is the client, the hop before it its proxy', (t) => {
  t.deepEqual(client([['x-forwarded-for', '198.51.100.1, 203.0.113.9, 10.1.1.1']]),
    { address: '203.0.113.9', port: 0, family: 'IPv4', proxy: { address: '10.1.1.1', port: 0 } });
});

test('X-Forwarded-For across several field lines reads as one list, in order', (t) => {
  t.like(client([['x-forwarded-for', '198.51.100.1'], ['x-forwarded-for', '10.1.1.1']]), { address: '198.51.100.1' });
});

test('a peer that is not a trusted proxy is the client, whatever its headers say', (t) => {
  const direct: RemoteInfo = { address: '198.51.100.7', port: 1, family: 'IPv4', proxy: null };
  t.is(client([['x-forwarded-for', '1.2.3.4']], direct), direct);
});

test('every hop trusted: the leftmost one is the client', (t) => {
  t.like(client([['x-forwarded-for', '10.9.9.9, 10.1.1.1']]), { address: '10.9.9.9', proxy: { address: '10.1.1.1' } });
});

test('a hop that is not an address ends the walk at the last believable one', (t) => {
  t.like(client([['x-forwarded-for', '198.51.100.1, unknown, 10.1.1.1']]), { address: '10.1.1.1' });
  t.like(client([['x-forwarded-for', 'garbage']]), { address: '10.0.0.5' });
});

test('Forwarded wins over X-Forwarded-For: for= with ports, IPv6 in brackets, quoted strings, other parameters', (t) => {
  t.deepEqual(client([['x-forwarded-for', '1.1.1.1'], ['forwarded', 'for="[2001:db8:cafe::17]:4711";proto=https, for=10.2.2.2;by=10.0.0.5']]),
    { address: '2001:db8:cafe::17', port: 4711, family: 'IPv6', proxy: { address: '10.2.2.2', port: 0 } });
  t.like(client([['forwarded', 'For="192.0.2.43:47011"']]), { address: '192.0.2.43', port: 47011 });
  t.like(client([['forwarded', 'for=192.0.2.60;proto=http;by=203.0.113.43']]), { address: '192.0.2.60', port: 0 });
});

test('Forwarded: unknown and obfuscated nodes end the walk (RFC 7239 §6.2, §6.3); an obfuscated port keeps the address', (t) => {
  t.like(client([['forwarded', 'for=192.0.2.1, for=unknown']]), { address: '10.0.0.5' });
  t.like(client([['forwarded', 'for=_hidden']]), { address: '10.0.0.5' });
  t.like(client([['forwarded', 'for="192.0.2.1:_abc"']]), { address: '192.0.2.1', port: 0 });
});

test('forwardedHops parses nodes and refuses what is not one', (t) => {
  t.deepEqual(forwardedHops([['x-forwarded-for', '1.2.3.4:80, [::1]:9, ::1, [::1, 1.2.3.4:99999, 300.1.1.1']]), [
    { address: '1.2.3.4', port: 80 }, { address: '::1', port: 9 }, { address: '::1', port: 0 }, null, null, null,
  ]);
  t.deepEqual(forwardedHops([['forwarded', 'for="a,b", for=1.2.3.4']]), [null, { address: '1.2.3.4', port: 0 }]);
  t.deepEqual(forwardedHops([['forwarded', 'proto=https']]), [null]);
  t.deepEqual(forwardedHops([]), []);
});

test('trusted ranges: CIDR, bare addresses and unix:; IPv4-mapped addresses match IPv4 ranges', (t) => {
  t.true(trusted.trusts('10.255.0.1'));
  t.true(trusted.trusts('127.0.0.1'));
  t.false(trusted.trusts('127.0.0.2'));
  t.true(trusted.trusts('fd12::1'));
  t.true(trusted.trusts('::ffff:10.0.0.1'));
  t.false(trusted.trusts('not-an-ip'));
  t.false(compileTrustedProxies(['unix:']).trusts('127.0.0.1'));
});

test('checkTrustedProxy names what is wrong with an entry', (t) => {
  for (const good of ['10.0.0.0/8', '::1', '2001:db8::/32', '0.0.0.0/0', 'unix:', '1.2.3.4/32']) t.is(checkTrustedProxy(good), null, good);
  for (const bad of ['10.0.0.0/33', '::/129', 'example.com', '1.2.3.4/', '1.2.3.4/x', '', '10.0.0.0/-1']) t.regex(checkTrustedProxy(bad) ?? '', /not an IP|prefix length/, bad);
  t.regex(checkTrustedProxy(42) ?? '', /must be a string/);
});
