// parseAddress and ServeInfo: the engine's 'ip:port' text in Deno's and Bun's shapes.
import test from 'ava';
import { parseAddress, ServeInfo } from '../../src/fetch/client-address.js';
import type { Request as EngineRequest } from '../../src/index.js';

test('parseAddress splits IPv4 and bracketed IPv6 addresses, and refuses what is not an address', (t) => {
  t.deepEqual(parseAddress('10.0.0.1:8080'), { transport: 'tcp', hostname: '10.0.0.1', port: 8080 });
  t.deepEqual(parseAddress('[::1]:443'), { transport: 'tcp', hostname: '::1', port: 443 });
  t.is(parseAddress(null), null);
  t.is(parseAddress('nocolon'), null);
  t.is(parseAddress('1.2.3.4:port'), null);
});

test('ServeInfo gives Deno\'s remoteAddr and Bun\'s requestIP, with an empty address when the socket has none', (t) => {
  const info = (text: string | null): ServeInfo => {
    const endpoint = parseAddress(text);
    const remote = endpoint === null ? null : { address: endpoint.hostname, port: endpoint.port, family: 'IPv6', proxy: null };
    return new ServeInfo({ remote } as EngineRequest);
  };
  t.deepEqual(info('[fe80::1]:5').requestIP(), { address: 'fe80::1', family: 'IPv6', port: 5 });
  const none = info(null);
  t.deepEqual(none.remoteAddr, { transport: 'tcp', hostname: '', port: 0 });
  t.is(none.requestIP(), null);
});

test('info.completed settles once the exchange is over, whether asked for before or after', async (t) => {
  const early = new ServeInfo({ remoteAddress: null } as EngineRequest);
  const waiting = early.completed;
  ServeInfo.complete(early);
  await waiting;
  const late = new ServeInfo({ remoteAddress: null } as EngineRequest);
  ServeInfo.complete(late);
  await late.completed;
  t.is(late.completed, late.completed);
});
