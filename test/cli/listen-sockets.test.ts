// Tests for the supervisor's listeners: reuseport sockets per slot, port 0 resolution, and failure wording.
import test from 'ava';
import { createServer } from 'node:net';
import { closeListeners, describeListenError, openListeners } from '../../src/cli/listen-sockets.js';
import { loadNative, sysError, type NativeBinding } from '../../src/native/index.js';

test('openListeners binds N reuseport sockets on one port (port 0 picked by the first)', (t) => {
  const { slots, port } = openListeners('127.0.0.1', 0, 3);
  const fds = slots.flat();
  try {
    t.is(fds.length, 3);
    t.is(new Set(fds).size, 3);
    t.true(port > 0);
    for (const fd of fds) t.is(loadNative().localPort(fd), port);
  } finally {
    closeListeners(fds);
  }
});

test('openListeners gives each slot one socket per address localhost stands for, all on one port', (t) => {
  const { slots, port, addresses } = openListeners('localhost', 0, 2);
  try {
    t.is(slots.length, 2);
    t.deepEqual(addresses.map((a) => a.address), ['127.0.0.1', '::1']);
    for (const fds of slots) {
      t.is(fds.length, 2);
      t.deepEqual(fds.map((fd) => loadNative().localAddress(fd)), [`127.0.0.1:${port}`, `[::1]:${port}`]);
    }
  } finally {
    for (const fds of slots) closeListeners(fds);
  }
});

test('closeListeners frees the port for an ordinary listener', async (t) => {
  const { slots, port } = openListeners('127.0.0.1', 0, 2);
  for (const fds of slots) closeListeners(fds);
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', resolve);
  });
  probe.close();
  t.pass();
});

test('openListeners names a taken port and closes what it had opened', (t) => {
  const closed: number[] = [];
  let calls = 0;
  const fake = {
    listen: () => (++calls === 1 ? 7 : -98),
    localPort: () => 9000,
    localAddress: () => '[::]:9000',
    close: (fd: number) => closed.push(fd),
  } as unknown as NativeBinding;
  const err = t.throws(() => openListeners('', 9000, 2, fake));
  t.is((err as { code?: string }).code, 'EADDRINUSE');
  t.is(err!.message, 'port 9000 is already in use (*:9000)');
  t.deepEqual(closed, [7]);
});

test('openListeners reports a failing getsockname', (t) => {
  const fake = { listen: () => 5, localPort: () => -9, localAddress: () => null, close: () => 0 } as unknown as NativeBinding;
  const err = t.throws(() => openListeners('::1', 0, 1, fake));
  t.is((err as { syscall?: string }).syscall, 'getsockname');
});

test('describeListenError words EACCES and EADDRNOTAVAIL and leaves others alone', (t) => {
  t.is(describeListenError(sysError(-13, 'listen'), '0.0.0.0', 80).message, 'no permission to listen on 0.0.0.0:80 (ports below 1024 need privileges)');
  t.is(describeListenError(sysError(-99, 'listen'), '10.9.9.9', 80).message, 'address 10.9.9.9 is not available on this machine');
  t.is(describeListenError(sysError(-22, 'listen'), '', 80).message, 'cannot listen on *:80: not a valid address or port');
  t.is(describeListenError(sysError(-24, 'listen'), '', 80).message, 'listen EMFILE');
});
