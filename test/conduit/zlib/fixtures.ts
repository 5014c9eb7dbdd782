// Shared test inputs and seams for the zlib tests: deterministic sample bytes and a pool that logs what it lends.
import { createEnginePool, type EnginePool } from '../../../src/conduit/index.js';

/** Deterministic pseudo-random text-ish bytes (compressible but not trivially). */
export function sample(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = 97 + ((x >>> 16) % 8);
  }
  return b;
}

/** Truly incompressible bytes (expands slightly under deflate). */
export function noise(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** A pool that logs `+kind` on each acquisition and `-kind` (plus ` (failed)`) on each release into `log`. */
export function recordingPool(log: string[]): EnginePool {
  const pool = createEnginePool();
  return {
    acquire(spec) {
      log.push(`+${spec.kind}`);
      return pool.acquire(spec);
    },
    release(engine, reusable) {
      log.push(`-${engine.spec.kind}${reusable ? '' : ' (failed)'}`);
      pool.release(engine, reusable);
    },
  };
}
