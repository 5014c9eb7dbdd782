// The layer graph, enforced: every `from '…'` in src/ is read (type-only imports included), and the test fails on an
// import cycle, on an upward import, and on a sibling reaching past another layer's index.ts (DESIGN.md: cli ->
// {middleware, fetch, websocket} -> server -> {conduit, native}; each layer is used through its curated index).
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Which layers each layer may import (itself always). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  conduit: [],
  native: [],
  server: ['conduit', 'native'],
  middleware: ['server', 'conduit'],
  fetch: ['server', 'conduit', 'middleware'],
  websocket: ['server', 'conduit'],
  cli: ['server', 'conduit', 'native', 'middleware', 'fetch', 'websocket'],
  '': ['server', 'conduit', 'native', 'middleware', 'fetch', 'websocket', 'cli'],
};

/** Layers whose other-layer imports must go through that layer's index.ts (siblings use one engine surface). */
const THROUGH_INDEX: ReadonlySet<string> = new Set(['middleware', 'fetch', 'websocket', 'cli', '']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The layer a source file belongs to ('' for src/index.ts). */
function layerOf(file: string): string {
  const rel = relative(SRC, file).split('/');
  return rel.length === 1 ? '' : rel[0]!;
}

/** The relative imports of a file, resolved to .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

test('every relative import in src/ resolves to a source file', (t) => {
  const missing = [...graph].flatMap(([f, deps]) => deps.filter((d) => !graph.has(d)).map((d) => `${relative(SRC, f)} -> ${relative(SRC, d)}`));
  t.deepEqual(missing, []);
});

test('layers import only the layers below them, and siblings only through an index.ts', (t) => {
  const wrong: string[] = [];
  for (const [file, deps] of graph) {
    const from = layerOf(file);
    for (const dep of deps) {
      const to = layerOf(dep);
      if (to === from) continue;
      const edge = `${relative(SRC, file)} -> ${relative(SRC, dep)}`;
      if (!(ALLOWED[from] ?? []).includes(to)) wrong.push(`upward or sideways: ${edge}`);
      else if (THROUGH_INDEX.has(from) && dep !== join(SRC, to, 'index.ts')) wrong.push(`past ${to}/index.ts: ${edge}`);
    }
  }
  t.deepEqual(wrong, []);
});

/** Cycles being untangled by work in flight (each entry names its files); the list must only ever shrink. */
const KNOWN_CYCLES: ReadonlyArray<readonly string[]> = [
  ['websocket/options.ts', 'websocket/session.ts', 'websocket/socket-writer.ts', 'websocket/websocket.ts'],
];

test('there is no import cycle in src/ (type-only imports count)', (t) => {
  // Tarjan's strongly connected components: any component of two or more files (or a self-import) is a cycle.
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) !== indexOf.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(relative(SRC, w));
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const f of files) if (!indexOf.has(f)) visit(f);
  const known = new Set(KNOWN_CYCLES.map((c) => c.join(' ')));
  t.deepEqual(cycles.filter((c) => !known.has(c.join(' '))), []);
});

test('the checks see the whole tree (a test that found no files could not fail)', (t) => {
  t.true(files.length > 100);
  t.true([...graph.values()].reduce((n, deps) => n + deps.length, 0) > 300);
});
