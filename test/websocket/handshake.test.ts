// The server's opening handshake (RFC 6455 §4.2): each refusal and its status, the accept key, subprotocols and
// the 101 fields.
import test from 'ava';
import {
  acceptKey, checkHandshake, ProtocolChoiceError, refusalResponse, selectProtocol, switchingHeaders,
  type UpgradeRequest,
} from '../../src/websocket/handshake.js';
import { GOOD, KEY, request } from './support/requests.js';

test('checkHandshake accepts the RFC 6455 §1.2 example request', (t) => {
  const hs = checkHandshake(request({ ...GOOD, 'Sec-WebSocket-Protocol': 'chat, superchat', 'Sec-WebSocket-Extensions': 'permessage-deflate' }));
  t.deepEqual(hs, { kind: 'accept', key: KEY, protocols: ['chat', 'superchat'], extensions: 'permessage-deflate' });
});

test('checkHandshake takes list fields in any case and among other elements', (t) => {
  const hs = checkHandshake(request({ ...GOOD, Upgrade: 'h2c, WebSocket', Connection: 'keep-alive, upgrade' }));
  t.is(hs.kind, 'accept');
});

const refusals: Array<[string, UpgradeRequest, string, number]> = [
  ['a POST', request(GOOD, 'POST'), 'METHOD_NOT_GET', 405],
  ['HTTP/1.0 (RFC 9110 §7.8: Upgrade is ignored there)', request(GOOD, 'GET', '1.0'), 'HTTP_1_0', 400],
  ['no Upgrade field', request({ ...GOOD, Upgrade: '' }), 'NOT_WEBSOCKET_UPGRADE', 400],
  ['an Upgrade to something else', request({ ...GOOD, Upgrade: 'h2c' }), 'NOT_WEBSOCKET_UPGRADE', 400],
  ['Connection without upgrade', request({ ...GOOD, Connection: 'keep-alive' }), 'CONNECTION_NOT_UPGRADE', 400],
  ['a body', request({ ...GOOD, 'Content-Length': '5' }), 'HAS_BODY', 400],
  ['a chunked body', request({ ...GOOD, 'Transfer-Encoding': 'chunked' }), 'HAS_BODY', 400],
  ['version 8', request({ ...GOOD, 'Sec-WebSocket-Version': '8' }), 'BAD_VERSION', 426],
  ['no version', request({ ...GOOD, 'Sec-WebSocket-Version': [] }), 'BAD_VERSION', 426],
  ['a key of 15 bytes', request({ ...GOOD, 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ=' }), 'BAD_KEY', 400],
  ['a key that is not base64', request({ ...GOOD, 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZ!==' }), 'BAD_KEY', 400],
  ['a key of 17 bytes', request({ ...GOOD, 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQAA' }), 'BAD_KEY', 400],
  ['two keys', request({ ...GOOD, 'Sec-WebSocket-Key': [KEY, KEY] }), 'BAD_KEY', 400],
  ['a missing key', request({ ...GOOD, 'Sec-WebSocket-Key': [] }), 'BAD_KEY', 400],
  ['a repeated subprotocol', request({ ...GOOD, 'Sec-WebSocket-Protocol': 'chat, chat' }), 'BAD_PROTOCOL_HEADER', 400],
  ['a subprotocol that is not a token', request({ ...GOOD, 'Sec-WebSocket-Protocol': 'a b' }), 'BAD_PROTOCOL_HEADER', 400],
  ['an empty subprotocol list', request({ ...GOOD, 'Sec-WebSocket-Protocol': ' , ' }), 'BAD_PROTOCOL_HEADER', 400],
];

for (const [name, req, code, status] of refusals) {
  test(`checkHandshake refuses ${name} with ${status}`, (t) => {
    t.deepEqual(checkHandshake(req), { kind: 'refuse', code, status });
  });
}

test('a Content-Length of 0 is not a body', (t) => {
  t.is(checkHandshake(request({ ...GOOD, 'Content-Length': '0' })).kind, 'accept');
});

test('the 426 refusal names the version we speak, the 405 the method we take', (t) => {
  const r426 = refusalResponse('BAD_VERSION');
  t.is(r426.status, 426);
  t.is(r426.headers['sec-websocket-version'], '13');
  const r405 = refusalResponse('METHOD_NOT_GET');
  t.is(r405.status, 405);
  t.is(r405.headers['allow'], 'GET');
  t.true(r405.kind === 'bytes' && Buffer.from(r405.body).toString().includes('GET'));
});

test('acceptKey gives the RFC 6455 §1.3 example answer', (t) => {
  t.is(acceptKey(KEY), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('selectProtocol selects nothing unless the app picks an offered one', (t) => {
  t.is(selectProtocol(['chat', 'superchat'], undefined), null);
  t.is(selectProtocol(['chat', 'superchat'], 'superchat'), 'superchat');
  t.is(selectProtocol(['chat'], 'other'), null);
  t.is(selectProtocol([], 'chat'), null);
  t.is(selectProtocol(['a', 'b'], (offered) => offered[1]), 'b');
  t.is(selectProtocol(['a', 'b'], () => null), null);
  t.is(selectProtocol(['a', 'b'], () => undefined), null);
});

test('selectProtocol refuses an app choice the client did not offer', (t) => {
  const e = t.throws(() => selectProtocol(['a'], () => 'z'), { instanceOf: ProtocolChoiceError });
  t.is(e?.code, 'ERR_WS_PROTOCOL_NOT_OFFERED');
});

test('switchingHeaders has the handshake fields, keeps the app extras and never doubles a handshake field', (t) => {
  const h = switchingHeaders(KEY, 'chat', 'permessage-deflate', { 'set-cookie': 'a=1', Upgrade: 'evil', 'Sec-WebSocket-Accept': 'x' });
  t.deepEqual(h, {
    'set-cookie': 'a=1',
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    'sec-websocket-protocol': 'chat',
    'sec-websocket-extensions': 'permessage-deflate',
  });
  t.deepEqual(Object.keys(switchingHeaders(KEY, null, null)), ['upgrade', 'connection', 'sec-websocket-accept']);
});
