// `npm run bench:proxy-parse`: CPU time of the native PROXY header parser per connection, the parser alone
// (bench/peers/proxy-parse.cc compiled with src/native/proxy-parse.cc), against the 0.2 µs budget of issue 19.
// CPU time of this process (CLOCK_PROCESS_CPUTIME_ID), so a busy machine slows it little.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSetup, hasCommand, REPO_ROOT } from './setup.js';

const BUDGET_NS = 200;
const sources = [join(REPO_ROOT, 'bench', 'peers', 'proxy-parse.cc'), join(REPO_ROOT, 'src', 'native', 'proxy-parse.cc')];

if (!hasCommand('g++')) {
  console.error('bench:proxy-parse: g++ is needed (apt-get install -y g++)');
  process.exit(1);
}
const bin = join(ensureSetup({ install: false, log: () => {} }).workDir, 'bin', 'proxy-parse');
mkdirSync(join(bin, '..'), { recursive: true });
if (!existsSync(bin) || sources.some((s) => statSync(s).mtimeMs > statSync(bin).mtimeMs)) {
  execFileSync('g++', ['-O2', '-std=c++17', '-I/usr/include/node', '-I', join(REPO_ROOT, 'node_modules', 'node-addon-api'), '-o', bin, ...sources], { stdio: 'inherit' });
}
const out = execFileSync(bin, [process.argv[2] ?? '5000000'], { encoding: 'utf8' });
console.log('| header | bytes | ns/parse (CPU) | within 0.2 µs |');
console.log('|---|---:|---:|---|');
for (const line of out.trim().split('\n')) {
  const [name, bytes, ns] = line.split('\t');
  console.log(`| ${name} | ${bytes} | ${ns} | ${Number(ns) <= BUDGET_NS ? 'yes' : 'NO'} |`);
}
