// Tests for the startup banner's URLs: every interface for a wildcard bind, each address for a name.
import test from 'ava';
import type { NetworkInterfaceInfo } from 'node:os';
import { formatUrl, listeningUrls } from '../../src/cli/urls.js';
import type { ListenAddress } from '../../src/server/index.js';

const IFACES = (): NodeJS.Dict<NetworkInterfaceInfo[]> => ({
  lo: [
    { address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '255.0.0.0', mac: '', cidr: null },
    { address: '::1', family: 'IPv6', internal: true, netmask: 'ffff::', mac: '', cidr: null, scopeid: 0 },
  ],
  eth0: [
    { address: '192.168.1.5', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '', cidr: null },
    { address: 'fe80::1', family: 'IPv6', internal: false, netmask: 'ffff::', mac: '', cidr: null, scopeid: 2 },
    { address: '2001:db8::5', family: 'IPv6', internal: false, netmask: 'ffff::', mac: '', cidr: null, scopeid: 0 },
  ],
  down: undefined,
});

function at(...addresses: string[]): ListenAddress[] {
  return addresses.map((address) => ({ address, family: address.includes(':') ? 'IPv6' : 'IPv4', port: 8080 }));
}

test('a dual-stack wildcard bind lists localhost, then every interface address (IPv4 and IPv6) with its interface', (t) => {
  t.deepEqual(listeningUrls('', at('::'), 8080, IFACES), [
    'http://localhost:8080/',
    'http://127.0.0.1:8080/  (lo)',
    'http://[::1]:8080/  (lo)',
    'http://192.168.1.5:8080/  (eth0)',
    'http://[2001:db8::5]:8080/  (eth0)',
  ]);
});

test('an IPv4 wildcard bind lists IPv4 addresses only', (t) => {
  t.deepEqual(listeningUrls('0.0.0.0', at('0.0.0.0'), 8080, IFACES), [
    'http://localhost:8080/', 'http://127.0.0.1:8080/  (lo)', 'http://192.168.1.5:8080/  (eth0)',
  ]);
});

test('a host name lists the name, then each address it resolved to', (t) => {
  t.deepEqual(listeningUrls('localhost', at('127.0.0.1', '::1'), 8080, IFACES), [
    'http://localhost:8080/', 'http://127.0.0.1:8080/', 'http://[::1]:8080/',
  ]);
});

test('a numeric host lists just that address, IPv6 in brackets', (t) => {
  t.deepEqual(listeningUrls('127.0.0.1', at('127.0.0.1'), 80, IFACES), ['http://127.0.0.1:80/']);
  t.deepEqual(listeningUrls('::1', at('::1'), 8080, IFACES), ['http://[::1]:8080/']);
  t.is(formatUrl('[::1]', 1), 'http://[::1]:1/');
});

test('the default interface lookup works on this machine', (t) => {
  t.is(listeningUrls('', at('::'), 1)[0], 'http://localhost:1/');
});
