// The behaviour suite's transport parameter: `test(title, fn)` registers the test twice, once over plain TCP and once
// over TLS ("title [tls]"), and the helpers (withServer, rawExchange, RawClient, connectClient, httpRequest) read the
// transport of the test they run in from an AsyncLocalStorage. So every wire test runs over both, written once.
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent as HttpAgent, request as requestHttp, type AgentOptions, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as requestHttps } from 'node:https';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { TlsSettings } from '../../src/index.js';
import { localhostLeaf } from '../native/support/tls-harness.js';
import { testPki } from '../native/support/test-pki.js';

/** The carriers the behaviour suite runs over. */
export type TransportKind = 'tcp' | 'tls';

const running = new AsyncLocalStorage<TransportKind>();

/** The transport of the test this code runs in ('tcp' outside one). */
export function transportKind(): TransportKind {
  return running.getStore() ?? 'tcp';
}

/** The server's tls setting for the current transport: the test PKI's localhost leaf, or null for TCP. */
export function serverTls(): TlsSettings | null {
  if (transportKind() !== 'tls') return null;
  const leaf = localhostLeaf();
  return { cert: leaf.cert, key: leaf.key };
}

/** The CA that signed the test leaf (for TLS clients). */
export function testCa(): string {
  return testPki().root.cert;
}

/**
 * A client socket to host:port over the current transport. A TLS socket takes writes at once (node buffers them
 * until the handshake is done) and emits 'connect' when the TCP connection is up, like a plain one.
 */
export function connectClient(port: number, host = '127.0.0.1'): Socket {
  if (transportKind() === 'tcp') return connectTcp(port, host);
  return connectTls({ host, port, ca: testCa(), servername: 'localhost' });
}

/** node:http's request() over the current transport (node:https trusting the test CA for TLS). */
export function httpRequest(options: RequestOptions, onResponse: (res: IncomingMessage) => void): ClientRequest {
  if (transportKind() === 'tcp') return requestHttp(options, onResponse);
  return requestHttps({ ca: testCa(), servername: 'localhost', ...options }, onResponse);
}

/** An agent for httpRequest over the current transport. */
export function httpAgent(options: AgentOptions): HttpAgent {
  return transportKind() === 'tcp' ? new HttpAgent(options) : new HttpsAgent({ ca: testCa(), servername: 'localhost', ...options });
}

type Implementation = (t: ExecutionContext) => PromiseLike<void> | void;

/** A test registered once per transport. */
export interface PerTransportTest {
  (title: string, fn: Implementation): void;
  /** Serial in this file, per transport. */
  serial(title: string, fn: Implementation): void;
  /** Over plain TCP only: the behaviour is about TCP itself (the reason goes in a comment at the call). */
  tcpOnly: TestFn;
  before: TestFn['before'];
  after: TestFn['after'];
}

function both(register: (title: string, fn: Implementation) => void): (title: string, fn: Implementation) => void {
  return (title, fn) => {
    register(title, (t) => running.run('tcp', () => fn(t)));
    register(`${title} [tls]`, (t) => running.run('tls', () => fn(t)));
  };
}

/** Every behaviour test file imports this `test` instead of ava's. */
export const test: PerTransportTest = Object.assign(both((title, fn) => anyTest(title, fn)), {
  serial: both((title, fn) => anyTest.serial(title, fn)),
  tcpOnly: anyTest,
  before: anyTest.before,
  after: anyTest.after,
});

export default test;
