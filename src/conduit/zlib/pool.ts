// Where zlib stages and one-shots get engines from, and give them back: a pool of reset engines per spec. Key
// decision: only deflate-family engines are reused (reset is deflateReset/inflateReset: no reallocation).
import { ZlibEngine, type EngineSpec } from './engine.js';

/** Where stages get engines from and give them back (a seam: tests wrap it to log acquisitions and releases). */
export interface EnginePool {
  /** An engine in its initial state. */
  acquire(spec: EngineSpec): ZlibEngine;
  /** Gives an engine back; `reusable` is false after a failure (the pool then closes it). */
  release(engine: ZlibEngine, reusable: boolean): void;
}

/** Engines kept per spec by default: a freed deflate state is ~270 KiB, so a handful covers a busy process. */
export const DEFAULT_POOLED_PER_SPEC = 8;

/**
 * A pool that keeps up to `maxPerSpec` reset engines per spec; the rest are closed. Only gzip, deflate and raw-inflate
 * engines are reused: node's brotli reset() forgets the quality (it comes back at 11, ~100x slower), and a reset
 * Unzip keeps the format it auto-detected last time.
 */
export function createEnginePool(maxPerSpec = DEFAULT_POOLED_PER_SPEC): EnginePool & { readonly idle: number } {
  const idle = new Map<string, ZlibEngine[]>();
  let idleCount = 0;
  return {
    acquire(spec) {
      const key = keyOf(spec);
      const list = key === null ? undefined : idle.get(key);
      const engine = list?.pop();
      if (engine === undefined) return new ZlibEngine(spec);
      idleCount--;
      return engine;
    },
    release(engine, reusable) {
      const key = keyOf(engine.spec);
      let list = key === null ? undefined : idle.get(key);
      if (!reusable || engine.failed || key === null || (list !== undefined && list.length >= maxPerSpec)) {
        engine.close();
        return;
      }
      engine.reset();
      if (list === undefined) idle.set(key, (list = []));
      list.push(engine);
      idleCount++;
    },
    get idle() {
      return idleCount;
    },
  };
}

/** The pool key of a reusable spec, or null for specs never pooled. */
function keyOf(spec: EngineSpec): string | null {
  switch (spec.kind) {
    case 'gzip': return `gzip:${spec.level}`;
    case 'deflate': return `deflate:${spec.raw ? 'raw' : 'zlib'}:${spec.level}:${spec.windowBits}:${spec.memLevel}:${spec.strategy}`;
    case 'inflate-raw': return `inflate-raw:${Math.max(9, spec.windowBits)}`;
    default: return null;
  }
}

/** The process-wide pool stages use unless told otherwise. */
export const sharedEnginePool: EnginePool = createEnginePool();
