import test from 'ava';
import { hasConnectionOption, wantsKeepAlive } from '../../src/server/connection-header.js';

const keepAlive = test.macro({
  exec(t, versionMinor: 0 | 1, connection: string | null, expected: boolean) {
    t.is(wantsKeepAlive({ versionMinor, connection }), expected);
  },
  title: (_p, v, c, expected) => `wantsKeepAlive is ${expected} for HTTP/1.${v} with Connection ${JSON.stringify(c)}`,
});
test(keepAlive, 1, null, true);
test(keepAlive, 0, null, false);
test(keepAlive, 1, 'close', false);
test(keepAlive, 1, 'Close', false);
test(keepAlive, 1, 'keep-alive, close', false);
test(keepAlive, 1, 'upgrade,CLOSE ', false);
test(keepAlive, 1, 'keep-alive', true);
test(keepAlive, 1, 'closed', true);
test(keepAlive, 1, 'Upgrade', true);
test(keepAlive, 0, 'keep-alive', true);
test(keepAlive, 0, 'Keep-Alive', true);
test(keepAlive, 0, 'te, keep-alive', true);
test(keepAlive, 0, 'keep-alive, close', false);
test(keepAlive, 0, 'keep-alive-ish', false);
test(keepAlive, 0, '', false);

const option = test.macro({
  exec(t, value: string, name: string, expected: boolean) {
    t.is(hasConnectionOption(value, name), expected);
  },
  title: (_p, value, name, expected) => `hasConnectionOption(${JSON.stringify(value)}, ${name}) is ${expected}`,
});
test(option, 'Upgrade', 'upgrade', true);
test(option, ' ,\t, upgrade\t,', 'upgrade', true);
test(option, 'x-upgrade', 'upgrade', false);
test(option, 'upgrade-x', 'upgrade', false);
test(option, 'up grade', 'upgrade', false);
test(option, ',,,', 'close', false);
