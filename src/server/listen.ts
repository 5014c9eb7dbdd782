// Listening sockets for serve(): resolve the host, bind one socket per address (or adopt given fds), and describe
// failures in a sentence. Key decisions: a host name is resolved with one blocking getaddrinfo at start-up, so serve()
// still returns a listening Server synchronously (nginx resolves its `listen` names the same way); `localhost` is the
// loopback pair without asking the resolver (RFC 6761 §6.3), as browsers treat it, so it means the same on every host.
import { isIPv4, isIPv6 } from 'node:net';
import { loadNative, sysError, type NativeBinding, type SysError } from '../native/index.js';

/** Where serve() listens: the settings that say so. */
export interface ListenSpec {
  /** '' = every interface; a numeric address; or a name to resolve. */
  readonly host: string;
  readonly port: number;
  readonly backlog: number;
  readonly reusePort: boolean;
  /** Adopt these already-listening fds instead of binding. */
  readonly fd: number | readonly number[] | null;
}

/** One bound address: `[::]` / `0.0.0.0` for a wildcard bind. */
export interface ListenAddress {
  readonly address: string;
  readonly family: 'IPv4' | 'IPv6';
  readonly port: number;
}

/** The listening sockets of one server, all on one port. */
export interface Listeners {
  readonly fds: readonly number[];
  readonly port: number;
  readonly addresses: readonly ListenAddress[];
}

/** A host name that does not resolve: code ENOTFOUND (no such name), EAI_AGAIN (try later), EAI_FAIL… */
export class HostResolutionError extends Error {
  /** 'ENOTFOUND' | 'EAI_AGAIN' | 'EAI_FAIL' | …, as Node's dns module names them. */
  readonly code: string;
  readonly hostname: string;
  readonly syscall = 'getaddrinfo';

  constructor(code: string, hostname: string) {
    super(`cannot listen on '${hostname}': ${RESOLUTION_FAILURES[code] ?? 'the name could not be resolved'} (${code})`);
    this.name = 'HostResolutionError';
    this.code = code;
    this.hostname = hostname;
  }
}

const RESOLUTION_FAILURES: Readonly<Record<string, string>> = {
  ENOTFOUND: 'no such host name (check the spelling, or use a numeric address)',
  EAI_AGAIN: 'the name server did not answer in time; try again',
  EINVAL: 'not a valid host name',
};

/** RFC 6761 §6.3: `localhost` and names under `.localhost` are the loopback addresses. */
export const LOOPBACK_ADDRESSES: readonly string[] = ['127.0.0.1', '::1'];

/** How many times a port-0 bind on several addresses starts over when a later address finds the picked port taken. */
const PICK_PORT_ATTEMPTS = 5;

/** The numeric addresses to bind for `host`: [''] for every interface; throws HostResolutionError for a bad name. */
export function resolveListenHost(host: string, native: NativeBinding = loadNative()): string[] {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === '' || isIPv4(bare) || isIPv6(bare)) return [bare];
  const name = bare.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return [...LOOPBACK_ADDRESSES];
  const result = native.getaddrinfo(bare);
  if (typeof result === 'string') throw new HostResolutionError(result, host);
  if (result.length === 0) throw new HostResolutionError('ENOTFOUND', host);
  return result;
}

/** Bind (or adopt) the listening sockets for a spec; throws a SysError or HostResolutionError naming the problem. */
export function openListeners(spec: ListenSpec, native: NativeBinding = loadNative()): Listeners {
  if (spec.fd !== null) {
    const fds = typeof spec.fd === 'number' ? [spec.fd] : [...spec.fd];
    if (fds.length === 0) throw new TypeError('settings.fd must name at least one listening socket');
    return describe(fds, native);
  }
  const hosts = resolveListenHost(spec.host, native);
  for (let attempt = 1; ; attempt++) {
    try {
      return describe(bindAll(hosts, spec, native), native);
    } catch (err) {
      const retry = spec.port === 0 && hosts.length > 1 && (err as SysError).code === 'EADDRINUSE' && attempt < PICK_PORT_ATTEMPTS;
      if (!retry) throw err;
    }
  }
}

/** Close listeners opened by openListeners (queued, unaccepted connections are reset). */
export function closeListeners(fds: readonly number[], native: NativeBinding = loadNative()): void {
  for (const fd of fds) native.close(fd);
}

/** The wording for listen failures, shared by serve() and the CLI's worker sockets. */
export function describeListenError(e: SysError, host: string, port: number): SysError {
  const where = `${host === '' ? '*' : host}:${port}`;
  if (e.code === 'EADDRINUSE') e.message = `port ${port} is already in use (${where})`;
  else if (e.code === 'EACCES') e.message = `no permission to listen on ${where} (ports below 1024 need privileges)`;
  else if (e.code === 'EADDRNOTAVAIL') e.message = `address ${host} is not available on this machine`;
  else if (e.code === 'EINVAL') e.message = `cannot listen on ${where}: not a valid address or port`;
  return e;
}

// One socket per address, all on one port (port 0: the first bind picks it). An IPv6 address is skipped when this
// machine has no IPv6 (EADDRNOTAVAIL / EAFNOSUPPORT) and an IPv4 one is bound: `localhost` still works there.
function bindAll(hosts: readonly string[], spec: ListenSpec, native: NativeBinding): number[] {
  const fds: number[] = [];
  let port = spec.port;
  let skipped: SysError | null = null;
  let boundIPv4 = false;
  try {
    for (const host of hosts) {
      const fd = native.listen(host, port, spec.backlog, spec.reusePort);
      if (fd < 0) {
        const e = describeListenError(sysError(fd, 'listen'), host, port);
        if (hosts.length > 1 && isIPv6(host) && (e.code === 'EADDRNOTAVAIL' || e.code === 'EAFNOSUPPORT')) {
          skipped ??= e;
          continue;
        }
        throw e;
      }
      fds.push(fd);
      boundIPv4 ||= isIPv4(host);
      if (port === 0) port = checkPort(native.localPort(fd));
    }
    if (skipped !== null && !boundIPv4) throw skipped;
  } catch (err) {
    closeListeners(fds, native);
    throw err;
  }
  return fds;
}

function describe(fds: readonly number[], native: NativeBinding): Listeners {
  const addresses = fds.map((fd) => parseAddress(native.localAddress(fd)));
  const port = checkPort(native.localPort(fds[0]!));
  return { fds, port, addresses };
}

function checkPort(port: number): number {
  if (port < 0) throw sysError(port, 'getsockname');
  return port;
}

// localAddress() gives 'ip:port' or '[ipv6]:port'.
function parseAddress(name: string | null): ListenAddress {
  const m = name === null ? null : /^\[?([^\]]*?)\]?:(\d+)$/.exec(name);
  if (m === null) return { address: '', family: 'IPv4', port: 0 };
  return { address: m[1]!, family: m[1]!.includes(':') ? 'IPv6' : 'IPv4', port: Number(m[2]) };
}
