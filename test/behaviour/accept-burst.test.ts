// The accept loop stops after one connection per wakeup while clients come one at a time (accept.cc, worthDraining),
// and must not strand anyone when a burst follows: the listener is level-triggered, so whatever waits in the backlog
// is accepted on the next turns. One at a time first (the score goes negative), then 300 at once: every one answered.
import test from 'ava';
import { respond, type Application } from '../../src/index.js';
import { get, rawExchange, withServer } from './helpers.js';

const app: Application = async () => respond(200, { 'content-type': 'text/plain' }, 'ok');
const CLOSE = get('/', 'Connection: close\r\n');

test('after clients one at a time, a burst of 300 connections is accepted and answered in full', async (t) => {
  await withServer(app, {}, async (port) => {
    for (let i = 0; i < 40; i++) {
      const { data } = await rawExchange(port, CLOSE);
      t.regex(data.toString('latin1'), /^HTTP\/1\.1 200 /);
    }
    const burst = await Promise.all(Array.from({ length: 300 }, () => rawExchange(port, CLOSE, { timeoutMs: 20_000 })));
    t.is(burst.filter(({ data, closed }) => closed && /^HTTP\/1\.1 200 [^]*\r\n\r\nok$/.test(data.toString('latin1'))).length, 300);
    // And one at a time again, after the burst has taught the loop to drain.
    for (let i = 0; i < 20; i++) t.regex((await rawExchange(port, CLOSE)).data.toString('latin1'), /^HTTP\/1\.1 200 /);
  });
});
