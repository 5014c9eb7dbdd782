// Support for the file-cache hammer tests: a lean keep-alive client (one GET at a time, parsed as it arrives) and the
// child process that changes files on request, for the change-from-another-process case.
import { connect, type Socket } from 'node:net';

/** One response: its status and body. */
export interface Answer {
  status: number;
  body: string;
}

/** A keep-alive HTTP/1.1 client for one-at-a-time GETs; consumed bytes are dropped, so 10,000 requests stay linear. */
export class HammerClient {
  private pending: Buffer = Buffer.alloc(0);
  private waiter: ((answer: Answer) => void) | null = null;
  private failure: ((error: Error) => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      this.settle();
    });
    const gone = (): void => this.failure?.(new Error('the server closed the connection'));
    socket.on('close', gone);
    socket.on('error', gone);
  }

  /** Connects to 127.0.0.1:port. */
  static open(port: number): Promise<HammerClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(new HammerClient(socket)));
      socket.once('error', reject);
    });
  }

  /** GETs a path and resolves with the whole response. */
  get(path: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failure = reject;
      this.socket.write(`GET ${path} HTTP/1.1\r\nHost: hammer\r\n\r\n`);
    });
  }

  /** Closes the connection. */
  close(): void {
    this.socket.destroy();
  }

  private settle(): void {
    const end = this.pending.indexOf('\r\n\r\n');
    if (end < 0 || this.waiter === null) return;
    const head = this.pending.toString('latin1', 0, end);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 'NaN');
    if (Number.isNaN(length)) {
      this.failure?.(new Error(`a response without Content-Length: ${JSON.stringify(head)}`));
      return;
    }
    if (this.pending.length < end + 4 + length) return;
    const answer = { status: Number(head.slice(9, 12)), body: this.pending.toString('latin1', end + 4, end + 4 + length) };
    this.pending = this.pending.subarray(end + 4 + length);
    const resolve = this.waiter;
    this.waiter = null;
    this.failure = null;
    resolve(answer);
  }
}

/** A request to the change child: write `content` to `path` in place, or by renaming a temporary file over it. */
export interface ChangeRequest {
  path: string;
  content: string;
  how: 'write' | 'rename';
}
