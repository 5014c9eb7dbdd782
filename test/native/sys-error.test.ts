import test from 'ava';
import { constants } from 'node:os';
import { SysError, checkResult, nameErrno, sysError } from '../../src/native/index.js';

const { ECONNRESET, EAGAIN, EMFILE } = constants.errno;

const cases: Array<[number, string, string, string]> = [
  [-ECONNRESET, 'recv', 'ECONNRESET', 'recv ECONNRESET'],
  [-EAGAIN, 'send', 'EAGAIN', 'send EAGAIN'],
  [-EMFILE, 'accept4', 'EMFILE', 'accept4 EMFILE'],
  [ECONNRESET, 'recv', 'ECONNRESET', 'recv ECONNRESET'], // a positive errno is read as the same error
  [-99999, 'sendfile', 'UNKNOWN', 'sendfile Unknown system error -99999'],
];
for (const [result, syscall, code, message] of cases) {
  test(`sysError maps ${result} from ${syscall} to ${code}`, (t) => {
    const error = sysError(result, syscall);
    t.true(error instanceof SysError);
    t.true(error instanceof Error);
    t.is(error.errno, -Math.abs(result));
    t.is(error.code, code);
    t.is(error.syscall, syscall);
    t.is(error.message, message);
    t.is(error.name, 'SysError');
  });
}

test('nameErrno reads either sign', (t) => {
  t.is(nameErrno(ECONNRESET), 'ECONNRESET');
  t.is(nameErrno(-ECONNRESET), 'ECONNRESET');
  t.is(nameErrno(0), 'UNKNOWN');
});

test('checkResult passes results >= 0 through', (t) => {
  t.is(checkResult(0, 'listen'), 0);
  t.is(checkResult(17, 'listen'), 17);
});

test('checkResult throws the SysError of a negative result', (t) => {
  const error = t.throws(() => checkResult(-EMFILE, 'listen'), { instanceOf: SysError });
  t.is(error?.code, 'EMFILE');
  t.is(error?.syscall, 'listen');
});
