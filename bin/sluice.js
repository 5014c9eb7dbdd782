#!/usr/bin/env node
// The CLI's launcher. On a single CPU (a server pinned with taskset, a one-CPU container) V8's parallel scavenge hands
// work to helper threads that can only run on that same CPU, so every young-generation pause waits for them: measured
// on the static bench, 0.26 ms per scavenge with it, 0.16 ms without. A server sets this flag for itself, as production
// Node servers pass V8 flags; it is read at each scavenge, so setting it here, before the server starts, is enough.
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

if (availableParallelism() === 1) setFlagsFromString('--no-parallel-scavenge');
await import('../dist/src/cli/main.js');
