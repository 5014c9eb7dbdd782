// Large-file client runner: bench/peers/sink.c reads with a 1 MiB buffer, because wrk's 8 KiB reads saturate
// the client core long before a sendfile server does (PERFORMANCE.md §8).
import { parseResultLine } from './wrk.js';
import { runPinned } from './processes.js';

/** What the sink client reports (it measures no latency). */
export interface SinkResult {
  bytes: number;
  seconds: number;
  responses: number;
  /** The client stopped early: a connection closed or failed. */
  failed: string | null;
}

/** Parses sink's `RESULT bytes=… seconds=… MBps=… responses_per_s=…` line, or the failure it printed. */
export function parseSinkResult(stdout: string, stderr: string, code: number | null): SinkResult {
  const r = parseResultLine(stdout);
  if (code !== 0 || !r || r.bytes === undefined || r.seconds === undefined || r.responses_per_s === undefined) {
    const why = stderr.trim().split('\n').pop() || `exit code ${code}`;
    return { bytes: 0, seconds: 0, responses: 0, failed: why };
  }
  return { bytes: r.bytes, seconds: r.seconds, responses: Math.round(r.responses_per_s * r.seconds), failed: null };
}

/** Runs the sink client against 127.0.0.1:port for `durationS` seconds. */
export async function runSink(bin: string, port: number, path: string, conns: number, durationS: number,
  core: number | null): Promise<SinkResult> {
  const done = await runPinned(core, bin, [String(port), path, String(conns), String(durationS)], (durationS + 30) * 1000);
  if (done.timedOut) return { bytes: 0, seconds: 0, responses: 0, failed: 'sink did not finish in time' };
  return parseSinkResult(done.stdout, done.stderr, done.code);
}
