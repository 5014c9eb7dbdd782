// The upgrade API: upgradeWebSocket() answers with the 101 (as an UpgradeResponse) or with the handshake's refusal,
// tryUpgrade() reports a refusal as a value, and isWebSocketUpgrade() tells a WebSocket request apart for routing.
import test from 'ava';
import {
  isWebSocketUpgrade, ProtocolChoiceError, tryUpgrade, upgradeWebSocket, WebSocketOptionError,
} from '../../src/websocket/index.js';
import { GOOD, request } from './support/requests.js';

test('upgradeWebSocket answers a valid handshake with a 101 and its fields', (t) => {
  const r = upgradeWebSocket(request({ ...GOOD, 'Sec-WebSocket-Protocol': 'a, b' }), {}, { protocol: 'b', headers: { 'set-cookie': 's=1' } });
  t.is(r.kind, 'upgrade');
  t.is(r.status, 101);
  t.deepEqual(r.headers, {
    'set-cookie': 's=1',
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    'sec-websocket-protocol': 'b',
  });
});

test('a Sec-WebSocket-Protocol among the extra headers (Bun) selects that subprotocol when offered, else none', (t) => {
  const offered = request({ ...GOOD, 'Sec-WebSocket-Protocol': 'a, b' });
  t.is(upgradeWebSocket(offered, {}, { headers: { 'Sec-WebSocket-Protocol': 'a' } }).headers['sec-websocket-protocol'], 'a');
  t.false('sec-websocket-protocol' in upgradeWebSocket(offered, {}, { headers: { 'Sec-WebSocket-Protocol': 'z' } }).headers);
});

test('upgradeWebSocket answers an invalid handshake with its refusal', (t) => {
  const r = upgradeWebSocket(request({ ...GOOD, 'Sec-WebSocket-Version': '12' }), {});
  t.is(r.kind, 'bytes');
  t.is(r.status, 426);
  t.is(r.headers['sec-websocket-version'], '13');
  t.is(upgradeWebSocket(request(GOOD, 'GET', '1.0'), {}).status, 400);
});

test('tryUpgrade reports a refusal as a value (what server.upgrade() turns into false)', (t) => {
  t.deepEqual(tryUpgrade(request({ ...GOOD, 'Sec-WebSocket-Key': 'short' }), {}), { kind: 'refuse', code: 'BAD_KEY', status: 400 });
});

test('an app that picks a subprotocol the client did not offer gets an error, not a silent 101', (t) => {
  t.throws(() => upgradeWebSocket(request({ ...GOOD, 'Sec-WebSocket-Protocol': 'a' }), {}, { protocol: () => 'z' }), { instanceOf: ProtocolChoiceError });
});

test('invalid handler settings are reported with ERR_WS_OPTION', (t) => {
  for (const handler of [{ maxPayloadLength: -1 }, { idleTimeout: 1.5 }, { perMessageDeflate: { level: 10 } }, { perMessageDeflate: { serverMaxWindowBits: 8 } }, { perMessageDeflate: { compress: 'x' as never } }, { perMessageDeflate: { decompress: 'x' as never } }]) {
    const e = t.throws(() => upgradeWebSocket(request(GOOD), handler), { instanceOf: WebSocketOptionError });
    t.is(e?.code, 'ERR_WS_OPTION');
  }
});

test('isWebSocketUpgrade looks for websocket in the Upgrade field', (t) => {
  t.true(isWebSocketUpgrade(request(GOOD)));
  t.true(isWebSocketUpgrade(request({ Upgrade: 'h2c, WebSocket' })));
  t.false(isWebSocketUpgrade(request({ Upgrade: 'websockets' })));
  t.false(isWebSocketUpgrade(request({})));
});
