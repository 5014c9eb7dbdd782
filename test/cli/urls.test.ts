// Tests for the startup banner's URLs.
import test from 'ava';
import type { NetworkInterfaceInfo } from 'node:os';
import { formatUrl, listeningUrls } from '../../src/cli/urls.js';

const IFACES = (): NodeJS.Dict<NetworkInterfaceInfo[]> => ({
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '255.0.0.0', mac: '', cidr: null }],
  eth0: [
    { address: '192.168.1.5', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '', cidr: null },
    { address: 'fe80::1', family: 'IPv6', internal: false, netmask: 'ffff::', mac: '', cidr: null, scopeid: 2 },
  ],
  down: undefined,
});

test('a wildcard bind lists localhost, then external IPv4 addresses', (t) => {
  for (const host of ['', '0.0.0.0', '::']) {
    t.deepEqual(listeningUrls(host, 8080, IFACES), ['http://localhost:8080/', 'http://192.168.1.5:8080/']);
  }
});

test('a specific host lists just that host, IPv6 in brackets', (t) => {
  t.deepEqual(listeningUrls('127.0.0.1', 80, IFACES), ['http://127.0.0.1:80/']);
  t.deepEqual(listeningUrls('::1', 8080, IFACES), ['http://[::1]:8080/']);
  t.is(formatUrl('[::1]', 1), 'http://[::1]:1/');
});

test('the default interface lookup works on this machine', (t) => {
  t.is(listeningUrls('', 1)[0], 'http://localhost:1/');
});
