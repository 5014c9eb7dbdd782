#!/usr/bin/env node
// The CLI's launcher. It sets two V8 flags that a server wants and a library cannot set for its host:
// - The young generation at full size from the start (src/cli/node-flags.ts says why and what it measured). V8 reads
//   it only when it makes the heap, so the launcher starts Node again in place (execv: same pid, same stdio) with it
//   in front, unless it is already there, the user chose a size, or SLUICE_NODE_FLAGS=0.
// - On a single CPU (a server pinned with taskset, a one-CPU container) V8's parallel scavenge hands work to helper
//   threads that can only run on that same CPU, so every young-generation pause waits for them: measured on the
//   static bench, 0.26 ms per scavenge with it, 0.16 ms without. It is read at each scavenge, so setting it here,
//   before the server starts, is enough.
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

const { relaunchArgv } = await import('../dist/src/cli/node-flags.js');
const again = relaunchArgv(process.execPath, process.execArgv, process.argv, process.env);
if (again !== null) {
  try {
    const { loadNative } = await import('../dist/src/native/load.js');
    loadNative().execv(process.execPath, again);
  } catch {
    // No usable addon: the server itself reports that; a failed execv returns and Node's defaults stay.
  }
}
if (availableParallelism() === 1) setFlagsFromString('--no-parallel-scavenge');
await import('../dist/src/cli/main.js');
