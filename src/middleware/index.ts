// sluice/middleware: Middleware = (app) => app.

// ** Composition
export { compose } from './compose.js';

// ** Static files
export { staticFiles, serveStatic, StaticRootError } from './static/static-files.js';
export type { StaticOptions } from './static/static-options.js';
