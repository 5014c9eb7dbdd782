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
}

/** First line of a command's combined output (nginx -v prints to stderr), or "not installed". */
function readVersion(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return 'not installed';
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

/** Value of PRETTY_NAME in an os-release file. */
export function parseOsRelease(text: string): string {
  return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] ?? 'unknown';
}

/** Collects the machine details for the report. */
export function collectMachineInfo(serverCore: number | null, clientCore: number | null): MachineInfo {
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
    serverCore, clientCore,
  };
}
