// The TypeScript consumer that `npm run test:package` compiles against the installed tarball's types: strict,
// module nodenext, with no annotation on the handler, so the checks are about inference through the public types.

/** A consumer that must compile: every entry point, a WebSocket upgrade, a body piped through a conduit from the other entry. */
export const CONSUMER_OK = `
import { serve, respond, compose, gzip, source, FLUSH } from 'sluice';
import { map, range, fold } from 'sluice/conduit';
import { autohead } from 'sluice/middleware';
import { CloseCodes } from 'sluice/websocket';

const total = range(0, 10).pipe(map((x) => x * 2)).run(fold((a, b) => a + b, 0));

const server = serve({ port: 0 }, compose(autohead(), gzip())(async (req) => {
  if (req.path === '/sum') return respond(200, { 'content-type': 'text/plain' }, String(total));
  if (req.path === '/events') {
    return respond(200, { 'content-type': 'text/event-stream' }, source(function* (io) {
      yield* io.emit(Buffer.from('data: 1\\n\\n'));
      yield* io.emit(FLUSH);
    }));
  }
  if (req.path === '/ws') return respond.upgrade(req, {
    message(ws, message) {
      if (message === 'bye') ws.close(CloseCodes.GOING_AWAY, 'bye');
      else ws.send(message);
    },
  });
  return respond(200, {}, req.body.pipe(map((chunk) => chunk)));
}));
await server.close();
`;

/** A consumer that must not compile: its handler answers a number, not a Response. */
export const CONSUMER_WRONG_RETURN = `
import { serve } from 'sluice';

serve({ port: 0 }, async (req) => req.path.length);
`;

/** tsconfig.json for a consumer: strict, nodenext, Node's types from the repository's own @types. */
export function consumerTsconfig(typeRoot: string, files: readonly string[]): string {
  const compilerOptions = {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [typeRoot],
  };
  return JSON.stringify({ compilerOptions, files }, null, 2);
}
