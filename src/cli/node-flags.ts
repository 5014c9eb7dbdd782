// The V8 flags a Sluice server process starts with, and the launcher's rule for starting Node again to get them.

/**
 * The young generation at its full size from the start (MiB per semi-space). V8 starts it at 1 MiB and grows it only
 * when many objects survive a scavenge. A server's garbage dies young (a request's objects are gone by its response),
 * so V8 never grows it and scavenges about every megabyte: every 10-12 ms on the static bench at 200k requests/s, a
 * 0.15-0.3 ms pause each that lands in the latency tail. 16 MiB is where V8's own growth stops on 64-bit, so this only
 * starts there; measured with --trace-gc on the static bench (4 s, 64 connections): 430 scavenges without, 113 with,
 * each as short. It costs about 30 MiB of RSS once, not per connection.
 */
export const SERVER_V8_FLAGS: readonly string[] = ['--min-semi-space-size=16'];

/** Opting out: SLUICE_NODE_FLAGS=0 keeps Node's defaults (and never starts Node again). */
const OPT_OUT = 'SLUICE_NODE_FLAGS';

/**
 * The argv to start this script again with SERVER_V8_FLAGS in front, or null to run as it is: the flags are there
 * already (this is the second start), the user set a semi-space size of their own (on the command line or in
 * NODE_OPTIONS), or opted out. Only the command line sets them: V8 reads them when it makes the heap, NODE_OPTIONS
 * refuses --min-semi-space-size, and v8.setFlagsFromString is too late.
 */
export function relaunchArgv(execPath: string, execArgv: readonly string[], argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>): string[] | null {
  if (env[OPT_OUT] === '0') return null;
  const chosen = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (chosen.some((flag) => /^--(min|max)[-_]semi[-_]space[-_]size\b/.test(flag))) return null;
  return [execPath, ...SERVER_V8_FLAGS, ...execArgv, ...argv.slice(1)];
}
