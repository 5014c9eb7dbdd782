// Exact file caches under fire: in each way a file can change, change it and request it at once, many times; every
// answer must be the version the change left behind. SLUICE_HAMMER_ROUNDS sets the rounds per kind (default 1,000;
// the figure is 10,000: `SLUICE_HAMMER_ROUNDS=10000 npx ava dist/test/behaviour/file-cache-hammer.test.js`).
import test from 'ava';
import { fork } from 'node:child_process';
import {
  linkSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staticFiles } from '../../src/middleware/index.js';
import { HammerClient, type ChangeRequest } from './file-hammer.js';
import { withServer } from './helpers.js';

const ROUNDS = Number(process.env.SLUICE_HAMMER_ROUNDS ?? 1000);
const BASE = realpathSync(mkdtempSync(join(tmpdir(), 'sluice-hammer-')));
test.after.always(() => rmSync(BASE, { recursive: true, force: true }));

/** What the request after a change must get: a body, or a 404. */
type Expected = string | null;

/** One way a file changes: set up under `root`, then make change k (completed on return) and say what to expect. */
interface ChangeKind {
  path: string;
  setup(root: string): void;
  change(root: string, k: number): Expected | Promise<Expected>;
}

// Version k of a file: its own bytes and, mostly, its own length.
const version = (k: number): string => `version ${k} ${'.'.repeat(k % 37)}\n`;

function replace(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

let truncated = '';

const KINDS: Record<string, ChangeKind> = {
  'an in-place write': {
    path: '/f.txt',
    setup: (root) => writeFileSync(join(root, 'f.txt'), version(0)),
    change: (root, k) => (writeFileSync(join(root, 'f.txt'), version(k)), version(k)),
  },
  'a truncate (shorter and longer)': {
    path: '/f.txt',
    setup: (root) => {
      truncated = 'abcdefghijklmnopqrstuvwxyz'.repeat(40);
      writeFileSync(join(root, 'f.txt'), truncated);
    },
    change: (root, k) => {
      const length = 1 + ((k * 7919) % 997);
      truncateSync(join(root, 'f.txt'), length);
      // Growing fills with zeros, as ftruncate(2) does.
      truncated = truncated.slice(0, length).padEnd(length, '\0');
      return truncated;
    },
  },
  'a rename over the file': {
    path: '/f.txt',
    setup: (root) => writeFileSync(join(root, 'f.txt'), version(0)),
    change: (root, k) => (replace(join(root, 'f.txt'), version(k)), version(k)),
  },
  'a delete, and a create after the miss': {
    path: '/f.txt',
    setup: (root) => writeFileSync(join(root, 'f.txt'), version(0)),
    change: (root, k) => {
      if (k % 2 === 1) {
        unlinkSync(join(root, 'f.txt'));
        return null;
      }
      writeFileSync(join(root, 'f.txt'), version(k));
      return version(k);
    },
  },
  'a directory\'s index.html deleted, and made again after the 404': {
    path: '/d/',
    setup: (root) => {
      mkdirSync(join(root, 'd'));
      writeFileSync(join(root, 'd', 'index.html'), version(0));
    },
    change: (root, k) => {
      if (k % 2 === 1) {
        unlinkSync(join(root, 'd', 'index.html'));
        return null;
      }
      writeFileSync(join(root, 'd', 'index.html'), version(k));
      return version(k);
    },
  },
  'a directory renamed away and back': {
    path: '/cur/f.txt',
    setup: (root) => {
      mkdirSync(join(root, 'cur'));
      writeFileSync(join(root, 'cur', 'f.txt'), 'in the first directory\n');
      mkdirSync(join(root, 'other'));
      writeFileSync(join(root, 'other', 'f.txt'), 'in the second directory\n');
    },
    change: (root, k) => {
      renameSync(join(root, 'cur'), join(root, 'swap'));
      renameSync(join(root, 'other'), join(root, 'cur'));
      renameSync(join(root, 'swap'), join(root, 'other'));
      return k % 2 === 1 ? 'in the second directory\n' : 'in the first directory\n';
    },
  },
  'a directory deleted and made again': {
    path: '/dir/f.txt',
    setup: (root) => {
      mkdirSync(join(root, 'dir'));
      writeFileSync(join(root, 'dir', 'f.txt'), version(0));
    },
    change: (root, k) => {
      if (k % 2 === 1) {
        rmSync(join(root, 'dir'), { recursive: true });
        return null;
      }
      mkdirSync(join(root, 'dir'));
      writeFileSync(join(root, 'dir', 'f.txt'), version(k));
      return version(k);
    },
  },
  'a symlink swapped': {
    path: '/link',
    setup: (root) => {
      writeFileSync(join(root, 't0'), 'target 0\n');
      writeFileSync(join(root, 't1'), 'target 1\n');
      symlinkSync('t0', join(root, 'link'));
    },
    change: (root, k) => {
      // ln -sfn done atomically: a new link under a temporary name, renamed over the old one.
      symlinkSync(`t${k % 2}`, join(root, 'link.tmp'));
      renameSync(join(root, 'link.tmp'), join(root, 'link'));
      return `target ${k % 2}\n`;
    },
  },
  'a write through a hard link in another directory': {
    path: '/f.txt',
    setup: (root) => {
      writeFileSync(join(root, 'f.txt'), version(0));
      mkdirSync(join(BASE, 'elsewhere'), { recursive: true });
      linkSync(join(root, 'f.txt'), join(BASE, 'elsewhere', 'f.txt'));
    },
    change: (_root, k) => (writeFileSync(join(BASE, 'elsewhere', 'f.txt'), version(k)), version(k)),
  },
};

for (const [name, kind] of Object.entries(KINDS)) {
  test.serial(`no stale answer after ${name}, ${ROUNDS} times`, async (t) => {
    const root = mkdtempSync(join(BASE, 'root-'));
    kind.setup(root);
    t.is(await hammer(root, kind, ROUNDS), 0);
  });
}

test.serial(`no stale answer after a change made by another process, ${ROUNDS} times`, async (t) => {
  const root = mkdtempSync(join(BASE, 'root-'));
  writeFileSync(join(root, 'f.txt'), version(0));
  const child = fork(fileURLToPath(new URL('file-hammer-child.js', import.meta.url)), [], { stdio: 'ignore' });
  t.teardown(() => child.kill());
  // One listener each for the whole run: the round waiting for its change is the only one in flight.
  let settle: { resolve: () => void; reject: (e: Error) => void } | null = null;
  child.on('message', () => settle?.resolve());
  child.on('exit', (code) => settle?.reject(new Error(`the change process exited (${code})`)));
  const changeInChild = (request: ChangeRequest): Promise<void> => new Promise((resolve, reject) => {
    settle = { resolve, reject };
    child.send(request);
  });
  const kind: ChangeKind = {
    path: '/f.txt',
    setup: () => {},
    change: async (dir, k) => {
      await changeInChild({ path: join(dir, 'f.txt'), content: version(k), how: k % 2 === 0 ? 'write' : 'rename' });
      return version(k);
    },
  };
  t.is(await hammer(root, kind, ROUNDS), 0);
});

/** Runs the rounds against one server and one keep-alive connection; returns how many answers were stale. */
async function hammer(root: string, kind: ChangeKind, rounds: number): Promise<number> {
  return withServer(staticFiles(root), {}, async (port) => {
    const client = await HammerClient.open(port);
    try {
      // Warm the caches first: the point is a cached answer turning stale.
      await client.get(kind.path);
      let stale = 0;
      const examples: string[] = [];
      for (let k = 1; k <= rounds; k++) {
        const expected = await kind.change(root, k);
        const got = await client.get(kind.path);
        const ok = expected === null ? got.status === 404 : got.status === 200 && got.body === expected;
        if (ok) continue;
        stale++;
        if (examples.length < 3) examples.push(`round ${k}: expected ${JSON.stringify(expected?.slice(0, 60) ?? null)}, got ${got.status} ${JSON.stringify(got.body.slice(0, 60))}`);
      }
      if (stale > 0) console.error(examples.join('\n'));
      return stale;
    } finally {
      client.close();
    }
  });
}
