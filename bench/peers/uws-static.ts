// uWebSockets.js static-file peer. uWS.js serves no files itself, so this reads them the way its own examples do:
// a small file is read whole per request (open, fstat, read, close, like serve-static), a large one streamed from a
// read stream with tryEnd/onWritable backpressure (uWS's VideoStreamer example).
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, normalize } from 'node:path';
import type { UwsModule, UwsResponse } from './uws-types.js';

const uws = createRequire(import.meta.url)('uwebsockets') as UwsModule;
const port = Number(process.env.PORT ?? 8080);
const root = process.env.WWW ?? '/tmp/sluice-bench/www';
const WHOLE_MAX = 1024 * 1024;
const TYPES: Record<string, string> = { html: 'text/html', bin: 'application/octet-stream', json: 'application/json' };

function stream(res: UwsResponse, path: string, size: number): void {
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
    file.destroy();
  });
  file.on('data', (chunk) => {
    const ab = (chunk as Buffer).buffer.slice((chunk as Buffer).byteOffset, (chunk as Buffer).byteOffset + chunk.length) as ArrayBuffer;
    const offset = res.getWriteOffset();
    let done = false;
    let ok = false;
    res.cork(() => ([ok, done] = res.tryEnd(ab, size)));
    if (done) file.destroy();
    else if (!ok) {
      file.pause();
      res.onWritable((at) => {
        if (aborted) return true;
        let again = false;
        res.cork(() => ([again, done] = res.tryEnd(ab.slice(at - offset), size)));
        if (done) file.destroy();
        else if (again) file.resume();
        return again;
      });
    }
  });
  file.on('error', () => {
    if (!aborted) res.cork(() => res.writeStatus('500 Internal Server Error').end());
  });
}

uws.App().get('/*', (res, req) => {
  const path = join(root, normalize(decodeURIComponent(req.getUrl())));
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    res.writeStatus('404 Not Found').end('Not Found');
    return;
  }
  res.writeHeader('content-type', TYPES[path.slice(path.lastIndexOf('.') + 1)] ?? 'application/octet-stream');
  if (size <= WHOLE_MAX) res.end(readFileSync(path));
  else stream(res, path, size);
}).listen('127.0.0.1', port, (token) => {
  if (!token) {
    console.error(`uws-static: cannot listen on ${port}`);
    process.exit(1);
  }
});
