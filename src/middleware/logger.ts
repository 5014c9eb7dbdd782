// Access logging, two ways. Key decision: the exact log comes from the engine (accessLog() is a Settings.logger:
// it is told the body bytes actually written, after the response is finished); logger() is the middleware form for
// when settings are out of reach, and counts the body bytes handed to the engine instead.
import {
  Conduit,
  type Flushable,
  acquire,
  closeStage,
  Stage,
  DONE,
  SUSPEND,
  type Done,
  type Suspend,
} from '../conduit/index.js';
import {
  fileCaches,
  type Request,
  type RequestLog,
  type Application,
  type Middleware,
  type Response,
} from '../server/index.js';
import { formatterOf, type LogEntry, type LogFormat } from './log-format.js';
import { LogWriter, type LogWriterOptions } from './log-writer.js';

/** Where the lines go and what they look like. */
export interface LoggerOptions extends LogWriterOptions {
  /** 'combined' (default), 'json', or a function of a LogEntry. */
  readonly format?: LogFormat;
}

/** A log that can be flushed and closed (on shutdown, after server.close()). */
export interface LogControl {
  /** The buffered writer behind it (its `dropped` count says whether lines were lost). */
  readonly writer: LogWriter;
  /** Writes what is buffered now. */
  flush(): void;
  /** Flushes and closes the destination if the log opened it. */
  close(): Promise<void>;
}

/** A Settings.logger that writes access-log lines. */
export type AccessLog = ((log: RequestLog) => void) & LogControl;

/** A logging middleware with its log controls. */
export type LoggingMiddleware = Middleware & LogControl;

/** The LogEntry for a request with its outcome. */
export function entryOf(request: Request, status: number, bytes: number, durationMs: number): LogEntry {
  return {
    time: request.receivedAt,
    remoteAddress: request.remoteAddress,
    method: request.method,
    target: request.target,
    httpVersion: request.httpVersion,
    status,
    bytes,
    durationMs,
    referer: request.head.referer,
    userAgent: request.head.userAgent,
  };
}

/**
 * The exact access log: pass it as `serve({ logger: accessLog({ to: 'access.log' }) }, app)`. The engine calls it
 * once per response, after the last byte is written, with the body bytes written (framing excluded), so streamed
 * and file bodies, aborted ones included, are counted exactly and the duration covers sending.
 */
export function accessLog(options: LoggerOptions = {}): AccessLog {
  const writer = new LogWriter(options);
  const format = formatterOf(options.format ?? 'combined');
  const log = (l: RequestLog): void => writer.write(format(entryOf(l.request, l.status, l.bytes, l.durationMs)));
  return Object.assign(log, controls(writer));
}

/**
 * The middleware form: `compose(logger(), ...)`. It sees responses, not the socket, so: an in-memory body is
 * logged when the app answers (its length, duration without sending); a stream when the engine stops pulling it
 * (the bytes handed to the engine: more than were written if the client went away mid-body); a file with its
 * stat size. Prefer accessLog() for exact counts.
 */
export function logger(options: LoggerOptions = {}): LoggingMiddleware {
  const writer = new LogWriter(options);
  const format = formatterOf(options.format ?? 'combined');
  const write = (req: Request, status: number, bytes: number): void =>
    writer.write(format(entryOf(req, status, bytes, Date.now() - req.receivedAt)));
  const middleware = (app: Application): Application => (req) => {
    const res = app(req);
    return res instanceof Promise ? res.then((r) => observe(req, r, write)) : observe(req, res, write);
  };
  return Object.assign(middleware, controls(writer));
}

function controls(writer: LogWriter): LogControl {
  return { writer, flush: () => writer.flush(), close: () => writer.close() };
}

type Write = (req: Request, status: number, bytes: number) => void;

function observe(req: Request, res: Response, write: Write): Response {
  const status = res.status;
  // RFC 9110 §6.4.1: no content for HEAD, 1xx, 204, 304 (the engine sends none and never runs a stream).
  if (req.method === 'HEAD' || status < 200 || status === 204 || status === 304) {
    write(req, status, 0);
    return res;
  }
  switch (res.kind) {
    case 'bytes':
      write(req, status, res.body.byteLength);
      return res;
    case 'stream':
      return { ...res, body: res.body.pipe(countBytes((n) => write(req, status, n))) };
    case 'upgrade':
      write(req, status, 0);
      return res;
    default: {
      const info = fileCaches().info.get(res.path);
      const size = info !== null && info.kind === 'file' ? info.size : 0;
      write(req, info === null ? 404 : status, res.range === null ? size : res.range.end - res.range.start);
      return res;
    }
  }
}

class CountStage extends Stage<Flushable<Uint8Array>> {
  private bytes = 0;

  constructor(up: Stage<Flushable<Uint8Array>, unknown>, done: (bytes: number) => void) {
    super(up);
    acquire(this, () => done(this.bytes)); // runs once: at the end, or when the engine stops pulling
  }

  pull(): Flushable<Uint8Array> | Done | Suspend {
    const x = (this.up as Stage<Flushable<Uint8Array>, unknown>).pull();
    if (x === SUSPEND) return SUSPEND;
    if (x === DONE) {
      void closeStage(this);
      return DONE;
    }
    if (x instanceof Uint8Array) this.bytes += x.byteLength;
    return x;
  }
}

/** A pass-through that reports the bytes that went through once, when the stream ends or is stopped. */
export function countBytes(done: (bytes: number) => void): Conduit<Flushable<Uint8Array>, Flushable<Uint8Array>> {
  return new Conduit((up) => new CountStage(up, done));
}
