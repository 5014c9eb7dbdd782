// Machine details recorded beside every result: figures are only comparable within one machine and one run.
import { spawnSync } from 'node:child_process';
import { cpus, release } from 'node:os';
import { readFileSync } from 'node:fs';

/** Where a run was measured. */
export interface MachineInfo {
  nproc: number;
  model: string;
  kernel: string;
  os: string;
  node: string;
  wrk: string;
  nginx: string;
  serverCore: number | null;
  clientCore: number | null;
  /** 1-minute load average when the run started, before any server ran: others' work shows here. */
  loadAtStart: number;
}

/** First line of a command's combined output (nginx -v prints to stderr), or "not installed". */
function readVersion(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return 'not installed';
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

/** A warning when the machine was busy before the run started, or null (threshold: half the cores busy). */
export function describeLoad(loadAtStart: number, nproc: number): string | null {
  if (loadAtStart <= nproc / 2) return null;
  return `Warning: load average ${loadAtStart.toFixed(1)} on ${nproc} core(s) when the run started: other work shared the machine. ` +
    'req/s and srv µs/req are unreliable; compare user µs/req, which counts only the server\'s own CPU.';
}

/** Value of PRETTY_NAME in an os-release file. */
export function parseOsRelease(text: string): string {
  return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] ?? 'unknown';
}

/** Collects the machine details for the report. */
export function collectMachineInfo(serverCore: number | null, clientCore: number | null, loadAtStart: number): MachineInfo {
  let os = 'unknown';
  try {
    os = parseOsRelease(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    // not Linux-standard
  }
  return {
    nproc: cpus().length, model: cpus()[0]?.model ?? 'unknown', kernel: release(), os, node: process.version,
    wrk: readVersion('wrk', ['--version']).replace(/ Copyright.*$/, ''),
    nginx: readVersion('nginx', ['-v']).replace(/^nginx version: /, ''),
    serverCore, clientCore, loadAtStart,
  };
}
