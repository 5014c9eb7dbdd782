// What the process holds in ArrayBuffers, not what it has dropped and not yet collected: V8 lets tens of MiB of dead
// buffers pile up before an external-memory GC (more on a loaded machine), which made a peak of garbage look like a
// held body in the bounded-memory tests. Collected before each sample.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** process.memoryUsage().arrayBuffers right after a full collection. */
export function heldBuffers(): number {
  gc();
  return process.memoryUsage().arrayBuffers;
}
