// sluice/middleware: Middleware = (app) => app.

// ** Composition
export { compose } from './compose.js';
