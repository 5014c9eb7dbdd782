// Middleware composition: compose(a, b, c)(app) = a(b(c(app))), so the first listed sees the request first.
import type { Application, Middleware } from '../server/index.js';

/** Composes middleware left to right: the first one is outermost. */
export function compose(...middleware: readonly Middleware[]): Middleware {
  return (app: Application): Application => middleware.reduceRight((inner, m) => m(inner), app);
}
