// The part of uWebSockets.js's API the bench peers use (the npm repack ships types for a path the ESM build misses).

/** An HTTP response. */
export interface UwsResponse {
  writeStatus(status: string): UwsResponse;
  writeHeader(name: string, value: string): UwsResponse;
  end(body?: string | ArrayBuffer | Uint8Array, closeConnection?: boolean): UwsResponse;
  /** Sends part of a body of `total` bytes: [ok, done]. */
  tryEnd(chunk: ArrayBuffer | Uint8Array, total: number): [boolean, boolean];
  getWriteOffset(): number;
  onWritable(cb: (offset: number) => boolean): UwsResponse;
  onAborted(cb: () => void): UwsResponse;
  cork(cb: () => void): UwsResponse;
  upgrade(data: object, key: string, protocol: string, extensions: string, context: unknown): void;
}

/** An HTTP request (valid only during the handler). */
export interface UwsRequest {
  getUrl(): string;
  getHeader(name: string): string;
}

/** A WebSocket. */
export interface UwsSocket {
  send(message: ArrayBuffer, isBinary: boolean): number;
  subscribe(topic: string): boolean;
  getUserData(): { url: string };
}

/** An app. */
export interface UwsApp {
  get(pattern: string, handler: (res: UwsResponse, req: UwsRequest) => void): UwsApp;
  ws(pattern: string, behavior: Record<string, unknown>): UwsApp;
  publish(topic: string, message: ArrayBuffer, isBinary: boolean): boolean;
  listen(host: string, port: number, cb: (token: unknown) => void): UwsApp;
}

/** The module. */
export interface UwsModule {
  App(): UwsApp;
  DISABLED: number;
}
