// Target table: how to start each server under test, and which group of scenarios it answers.
// A target whose entry file is missing is reported "not built yet" instead of failing the run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioGroup } from './scenarios.js';
import type { BenchEnv } from './setup.js';
import { REPO_ROOT } from './setup.js';

/**
 * What a target is compared as: ratios are taken against the `node`, `nginx` and `uws` (uWebSockets.js) baselines of
 * its group. In the WebSocket group the `node` baseline is the `ws` library.
 */
export type TargetRole = 'subject' | 'node' | 'nginx' | 'uws' | 'peer' | 'floor';

/** A ready-to-spawn server command, or why it cannot run. */
export type Launch =
  | { kind: 'launch'; cmd: string; args: string[]; env: Record<string, string> }
  | { kind: 'unavailable'; reason: string };

/** Everything a target needs to build its command line. */
export interface LaunchContext {
  port: number;
  env: BenchEnv;
}

/** One server under test. */
export interface Target {
  name: string;
  group: ScenarioGroup;
  role: TargetRole;
  launch: (ctx: LaunchContext) => Launch;
  /** A prefork server: its workers are children of the started process, and their share of the connections is sampled. */
  prefork?: true;
  /** Only the scenarios of the group whose name matches (default: all of them). */
  scenarios?: RegExp;
}

const NODE = process.execPath;
const dist = (...p: string[]): string => join(REPO_ROOT, 'dist', ...p);

/** Launches `node <script>` with PORT (and extra env) when the compiled script exists. */
function nodeScript(script: string, extra: (ctx: LaunchContext) => Record<string, string> = () => ({})): Target['launch'] {
  return (ctx) => existsSync(script)
    ? { kind: 'launch', cmd: NODE, args: [script], env: { PORT: String(ctx.port), ...extra(ctx) } }
    : { kind: 'unavailable', reason: `not built yet (${script.slice(REPO_ROOT.length + 1)} missing)` };
}

/** Renders the nginx config template for one port. */
export function renderNginxConfig(template: string, vars: { port: number; prefix: string; www: string }): string {
  return template.replaceAll('@PORT@', String(vars.port)).replaceAll('@PREFIX@', vars.prefix).replaceAll('@WWW@', vars.www);
}

function launchNginx(ctx: LaunchContext): Launch {
  if (!ctx.env.hasNginx) return { kind: 'unavailable', reason: 'nginx not installed (apt-get install nginx-light)' };
  const template = readFileSync(join(REPO_ROOT, 'bench', 'peers', 'nginx.conf'), 'utf8');
  const conf = join(ctx.env.nginxPrefix, 'nginx-current.conf'); // one nginx at a time: rewritten per start
  writeFileSync(conf, renderNginxConfig(template, { port: ctx.port, prefix: ctx.env.nginxPrefix, www: ctx.env.wwwDir }));
  // -e: error log before the config is read (the default path may not be writable).
  return { kind: 'launch', cmd: 'nginx', args: ['-p', ctx.env.nginxPrefix, '-e', join(ctx.env.nginxPrefix, 'error.log'), '-c', conf], env: {} };
}

function launchCepoll(ctx: LaunchContext): Launch {
  return existsSync(ctx.env.cepollBin)
    ? { kind: 'launch', cmd: ctx.env.cepollBin, args: [String(ctx.port)], env: {} }
    : { kind: 'unavailable', reason: 'cepoll not built (no C compiler?)' };
}

/** `sluice serve <www>`, with `--workers n` when n is given. */
function launchSluiceStatic(workers?: number): (ctx: LaunchContext) => Launch {
  return (ctx) => {
    const main = dist('src', 'cli', 'main.js');
    if (!existsSync(main)) return { kind: 'unavailable', reason: 'not built yet (dist/src/cli/main.js missing)' };
    const extra = workers === undefined ? [] : ['--workers', String(workers)];
    return { kind: 'launch', cmd: NODE, args: [join(REPO_ROOT, 'bin', 'sluice.js'), 'serve', ctx.env.wwwDir, '--port', String(ctx.port), '--quiet', ...extra], env: {} };
  };
}

/** HAProxy (send-proxy-v2) in front of `backend`, from bench/behind-haproxy.ts. */
function behindHaproxy(backend: 'sluice' | 'nginx'): Target['launch'] {
  const script = dist('bench', 'behind-haproxy.js');
  return (ctx) => {
    if (backend === 'nginx' && !ctx.env.hasNginx) return { kind: 'unavailable', reason: 'nginx not installed (apt-get install nginx-light)' };
    return nodeScript(script, () => ({ BACKEND: backend }))(ctx);
  };
}

const www = (ctx: LaunchContext): Record<string, string> => ({ WWW: ctx.env.wwwDir });
const json = (ctx: LaunchContext): Record<string, string> => ({ BENCH_JSON: ctx.env.jsonPath });

/** Every target, in table order (Sluice first in each group, then baselines and peers). */
export const TARGETS: readonly Target[] = [
  { name: 'sluice-hello', group: 'hello', role: 'subject', launch: nodeScript(dist('examples', 'hello.js')) },
  { name: 'native-hello', group: 'hello', role: 'subject', launch: nodeScript(dist('bench', 'native-hello.js')) },
  { name: 'node-hello', group: 'hello', role: 'node', launch: nodeScript(dist('bench', 'peers', 'node-hello.js')) },
  { name: 'fastify-hello', group: 'hello', role: 'peer', launch: nodeScript(dist('bench', 'peers', 'fastify-hello.js')) },
  { name: 'uws-hello', group: 'hello', role: 'uws', launch: nodeScript(dist('bench', 'peers', 'uws-hello.js')) },
  { name: 'nginx-hello', group: 'hello', role: 'nginx', launch: launchNginx },
  { name: 'c-epoll', group: 'hello', role: 'floor', launch: launchCepoll },
  { name: 'sluice-static', group: 'static', role: 'subject', launch: launchSluiceStatic() },
  // Two workers on the one server core: per-request CPU against one worker, and how the kernel spreads connections.
  { name: 'sluice-static-w2', group: 'static', role: 'subject', launch: launchSluiceStatic(2), prefork: true, scenarios: /^static-ka-c(64|1000)$/ },
  { name: 'node-static', group: 'static', role: 'node', launch: nodeScript(dist('bench', 'peers', 'node-static.js'), www) },
  { name: 'nginx-static', group: 'static', role: 'nginx', launch: launchNginx },
  // uWebSockets.js has no static file serving: its peer reads files itself (small ones whole, large ones streamed).
  { name: 'uws-static', group: 'static', role: 'uws', launch: nodeScript(dist('bench', 'peers', 'uws-static.js'), www) },
  { name: 'sluice-gzip', group: 'gzip', role: 'subject', launch: nodeScript(dist('examples', 'json.js'), json) },
  { name: 'node-gzip', group: 'gzip', role: 'node', launch: nodeScript(dist('bench', 'peers', 'node-gzip.js'), json) },
  { name: 'sluice-echo', group: 'echo', role: 'subject', launch: nodeScript(dist('examples', 'echo.js')) },
  { name: 'node-echo', group: 'echo', role: 'node', launch: nodeScript(dist('bench', 'peers', 'node-echo.js')) },
  // Web-standard handlers: the same fetch hello and Hono app on Sluice and on @hono/node-server, beside Sluice's own
  // Application hello and node:http's hello (the fetch adapter's cost, and the peer it replaces). The pairs compared
  // (fetch-ratios.ts) are neighbours here, so they run back to back in every repetition, whichever way it goes.
  { name: 'sluice-app-hello', group: 'fetch', role: 'subject', launch: nodeScript(dist('examples', 'hello.js')), scenarios: /^fetch-hello/ },
  { name: 'sluice-fetch-hello', group: 'fetch', role: 'subject', launch: nodeScript(dist('bench', 'fetch-hello.js')), scenarios: /^fetch-hello/ },
  // The same handler returning `new FastResponse(...)` (imported from sluice; no global replaced).
  { name: 'sluice-fetch-fast', group: 'fetch', role: 'subject', launch: nodeScript(dist('bench', 'fetch-hello.js'), () => ({ SLUICE_RESPONSE: 'fast' })), scenarios: /^fetch-hello/ },
  { name: 'hono-node-fetch-hello', group: 'fetch', role: 'peer', launch: nodeScript(dist('bench', 'peers', 'hono-node-hello.js')), scenarios: /^fetch-hello/ },
  { name: 'baseline-node-hello', group: 'fetch', role: 'node', launch: nodeScript(dist('bench', 'peers', 'node-hello.js')), scenarios: /^fetch-hello/ },
  { name: 'sluice-hono', group: 'fetch', role: 'subject', launch: nodeScript(dist('bench', 'hono-json.js')), scenarios: /^fetch-hono/ },
  { name: 'hono-node-hono', group: 'fetch', role: 'peer', launch: nodeScript(dist('bench', 'peers', 'hono-node-json.js')), scenarios: /^fetch-hono/ },
  // Opted in to overrideGlobalObjects: true (the global Response replaced, as @hono/node-server does by default).
  { name: 'sluice-hono-override', group: 'fetch', role: 'subject', launch: nodeScript(dist('bench', 'hono-json.js'), () => ({ SLUICE_RESPONSE: 'override' })), scenarios: /^fetch-hono/ },
  { name: 'sluice-lb', group: 'lb', role: 'subject', launch: behindHaproxy('sluice') },
  { name: 'nginx-lb', group: 'lb', role: 'nginx', launch: behindHaproxy('nginx') },
  // WebSockets: /echo, /sub and /pub on each; ws is the Node baseline ("x node"), uWebSockets.js the one to match.
  { name: 'sluice-ws', group: 'ws', role: 'subject', launch: nodeScript(dist('bench', 'ws-sluice.js')) },
  // The same server with reuseMessageBuffers (binary messages lent, as uWebSockets.js lends them): large echoes only.
  { name: 'sluice-ws-reuse', group: 'ws', role: 'subject', launch: nodeScript(dist('bench', 'ws-sluice.js'), () => ({ WS_REUSE: '1' })), scenarios: /^ws-echo64k/ },
  { name: 'uws-ws', group: 'ws', role: 'uws', launch: nodeScript(dist('bench', 'peers', 'uws-ws.js')) },
  { name: 'ws-ws', group: 'ws', role: 'node', launch: nodeScript(dist('bench', 'peers', 'ws-ws.js')) },
];

/** Targets whose name matches the filter. */
export function selectTargets(filter: RegExp): Target[] {
  return TARGETS.filter((t) => filter.test(t.name));
}
