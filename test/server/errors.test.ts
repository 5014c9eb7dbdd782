import test from 'ava';
import {
  errorResponse, reasonPhraseOf, RequestError, ResponseError, statusOf, type RequestErrorCode,
} from '../../src/server/errors.js';

const EXPECTED_STATUS: Record<RequestErrorCode, number> = {
  BAD_REQUEST_LINE: 400, BAD_HEADER: 400, HEADER_TOO_LARGE: 431, TOO_MANY_HEADERS: 431, URI_TOO_LONG: 414,
  BAD_VERSION: 505, MISSING_HOST: 400, BAD_HOST: 400, BAD_CONTENT_LENGTH: 400, CONFLICTING_FRAMING: 400,
  BAD_TRANSFER_ENCODING: 400, UNKNOWN_TRANSFER_CODING: 501, BAD_CHUNK: 400, CHUNK_TOO_LARGE: 400,
  TRAILER_TOO_LARGE: 431, BODY_TOO_LARGE: 413, TRUNCATED_BODY: 400, EXPECTATION_FAILED: 417, REQUEST_TIMEOUT: 408,
};

for (const [code, status] of Object.entries(EXPECTED_STATUS) as Array<[RequestErrorCode, number]>) {
  test(`errorResponse(${code}) is a complete ${status} response that closes`, (t) => {
    t.is(statusOf(code), status);
    const text = Buffer.from(errorResponse(code)).toString('latin1');
    const [head, body] = text.split('\r\n\r\n') as [string, string];
    const lines = head.split('\r\n');
    t.is(lines[0], `HTTP/1.1 ${status} ${reasonPhraseOf(status)}`);
    t.true(reasonPhraseOf(status).length > 0);
    t.true(lines.includes('connection: close'));
    t.true(lines.includes('content-type: text/plain; charset=utf-8'));
    t.true(lines.includes(`content-length: ${body.length}`));
    t.true(body.length > 1);
  });
}

test('errorResponse puts Date and Server between the status line and the fixed fields (RFC 9110 §6.6.1)', (t) => {
  const date = Buffer.from('Tue, 02 Jan 2024 03:04:05 GMT', 'latin1');
  const lines = Buffer.from(errorResponse('BAD_REQUEST_LINE', date, 'Sluice')).toString('latin1').split('\r\n');
  t.deepEqual(lines.slice(0, 3), ['HTTP/1.1 400 Bad Request', 'date: Tue, 02 Jan 2024 03:04:05 GMT', 'server: Sluice']);
  t.true(lines.includes('connection: close'));
});

test('RequestError carries its code and status', (t) => {
  const e = new RequestError('URI_TOO_LONG');
  t.true(e instanceof Error);
  t.is(e.name, 'RequestError');
  t.is(e.code, 'URI_TOO_LONG');
  t.is(e.status, 414);
  t.is(e.message, 'Request target too long');
  t.is(new RequestError('BAD_CHUNK', 'bad size').message, 'bad size');
});

test('ResponseError carries its code', (t) => {
  const e = new ResponseError('BAD_RESPONSE_HEADER', 'x');
  t.is(e.code, 'BAD_RESPONSE_HEADER');
  t.is(e.name, 'ResponseError');
});

test('reasonPhraseOf knows common statuses and is empty for unregistered ones', (t) => {
  t.is(reasonPhraseOf(200), 'OK');
  t.is(reasonPhraseOf(416), 'Range Not Satisfiable');
  t.is(reasonPhraseOf(299), '');
});
