// Helpers for `sluice serve` flag tests over real sockets: parse the flags as the CLI does, build its application,
// serve it on an ephemeral port, and send one request per connection.
import { parseCliArgs } from '../../src/cli/args.js';
import { buildApplication } from '../../src/cli/application.js';
import { parseResponses, rawExchange, withServer, type ParsedResponse } from './helpers.js';

/** Runs fn with `sluice serve <args>` (in process) listening on 127.0.0.1:<ephemeral>. */
export async function withFlags<T>(args: readonly string[], fn: (port: number) => Promise<T>, env: NodeJS.ProcessEnv = {}): Promise<T> {
  const cmd = parseCliArgs(['serve', ...args], () => 1, env);
  if (cmd.kind !== 'serve') throw new Error(`flags rejected: ${cmd.kind === 'usage-error' ? cmd.message : cmd.kind}`);
  const built = buildApplication(cmd.config);
  try {
    return await withServer(built.app, built.settings, fn);
  } finally {
    await built.close();
  }
}

/** One request on its own connection; headers are [name, value] pairs sent in order. */
export async function ask(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<ParsedResponse> {
  const fields = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const { data } = await rawExchange(port, `${method} ${path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n${fields}\r\n`);
  const [response] = parseResponses(data, { headRequests: method === 'HEAD' ? 1 : 0 });
  if (response === undefined) throw new Error(`no response to ${method} ${path}`);
  return response;
}

/** A navigation's Accept header, as a browser sends it. */
export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
