import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { extractTypeScriptBlocks } from './readme-blocks.js';

// Every TypeScript block of README.md compiles as a user would write it: strict, nodenext, each block its own
// module, 'sluice' and its subpaths mapped to this checkout's sources (test:package compiles against the tarball).
const root = fileURLToPath(new URL('../../../', import.meta.url));
// Inside node_modules, so a block that imports a peer the README shows (hono) resolves it from this checkout.
const dir = mkdtempSync(join(root, 'node_modules', '.sluice-readme-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('every TypeScript block of README.md compiles under strict', (t) => {
  const blocks = extractTypeScriptBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
  t.true(blocks.length >= 2, 'the README has its API tour blocks');
  const files = blocks.map((block, i) => {
    const file = join(dir, `readme-block-${i}.mts`);
    writeFileSync(file, block.code);
    return { file, block };
  });
  const program = ts.createProgram(files.map((f) => f.file), {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
    paths: {
      sluice: [join(root, 'src', 'index.ts')],
      'sluice/conduit': [join(root, 'src', 'conduit', 'index.ts')],
      'sluice/middleware': [join(root, 'src', 'middleware', 'index.ts')],
      'sluice/websocket': [join(root, 'src', 'websocket', 'index.ts')],
    },
  });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const at = files.find((f) => f.file === d.file?.fileName);
    if (at === undefined || d.start === undefined) return `${d.file?.fileName ?? ''} ${message}`;
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start);
    return `README.md:${at.block.line + line}: ${message}`;
  });
  t.deepEqual(errors, []);
});

test('extractTypeScriptBlocks finds ts and typescript fences with their README line, and skips other languages', (t) => {
  const markdown = ['# x', '```sh', 'npm i', '```', '```ts', 'const a = 1;', '```', 'text', '```typescript', 'let b;', 'b = 2;', '```'].join('\n');
  t.deepEqual(extractTypeScriptBlocks(markdown), [
    { code: 'const a = 1;\n', line: 6 },
    { code: 'let b;\nb = 2;\n', line: 10 },
  ]);
});

test('extractTypeScriptBlocks rejects an unclosed block', (t) => {
  t.throws(() => extractTypeScriptBlocks('```ts\nconst a = 1;\n'), { message: /unclosed TypeScript block at line 1/ });
});
