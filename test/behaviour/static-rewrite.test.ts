// A static file replaced (new version renamed over it) while 20 clients loop on it: every response must be exactly
// one whole version with a matching Content-Length and validators, never a mix of two or a truncated body.
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { staticFiles } from '../../src/middleware/index.js';
import { withServer } from './helpers.js';

const ROOT = mkdtempSync(join(tmpdir(), 'sluice-static-rewrite-'));
const FILE = join(ROOT, 'hot.bin');
const CLIENTS = 20;
// Long enough for dozens of versions: the caches follow each rename as its event arrives.
const LOAD_MS = 1200;
const RENAME_EVERY_MS = 15;

test.after.always(() => rmSync(ROOT, { recursive: true, force: true }));

/** Version k: a size and a byte pattern of its own, so a mix of two versions or a cut body cannot pass for either. */
function makeVersion(k: number): Buffer {
  const data = Buffer.alloc(64 * 1024 + ((k * 7919) % 65536));
  for (let i = 0; i < data.length; i++) data[i] = (i + k * 37) & 0xff;
  data.writeUInt32BE(k, 0);
  return data;
}

function sha(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

interface Got {
  status: number;
  declared: number;
  body: Buffer;
}

function getOnce(agent: Agent, port: number): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/hot.bin', agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, declared: Number(res.headers['content-length']), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('a file renamed over while 20 clients loop: each response is one whole version', async (t) => {
  const versions = new Map<string, number>();
  let current = 0;
  const publish = (k: number): void => {
    const data = makeVersion(k);
    versions.set(sha(data), k);
    writeFileSync(FILE + '.tmp', data);
    // rename(2) is atomic: readers see the old inode or the new one, never a half-written file.
    renameSync(FILE + '.tmp', FILE);
  };
  publish(current);
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const deadline = Date.now() + LOAD_MS;
    const writer = setInterval(() => publish(++current), RENAME_EVERY_MS);
    const seen = new Set<number>();
    let responses = 0;
    const failures: string[] = [];
    const client = async (): Promise<void> => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        while (Date.now() < deadline) {
          const got = await getOnce(agent, port);
          responses++;
          const version = versions.get(sha(got.body));
          if (got.status !== 200) failures.push(`status ${got.status}`);
          else if (got.body.length !== got.declared) failures.push(`length ${got.body.length} but Content-Length ${got.declared}`);
          else if (version === undefined) failures.push(`a body of ${got.body.length} bytes that is no version (mixed or cut)`);
          else seen.add(version);
        }
      } finally {
        agent.destroy();
      }
    };
    try {
      await Promise.all(Array.from({ length: CLIENTS }, client));
    } finally {
      clearInterval(writer);
    }
    t.deepEqual(failures.slice(0, 5), []);
    t.true(responses >= CLIENTS, `only ${responses} responses`);
    // Without this the test could pass while only ever seeing one version.
    t.true(seen.size >= 2, `saw versions ${[...seen].join(', ')} of ${current + 1}`);
  });
});
