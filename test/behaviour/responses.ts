// Response parsing for wire tests: back-to-back HTTP/1.1 responses split by their framing, and a completeness count.

/** One parsed response. */
export interface ParsedResponse {
  status: number;
  /** Lower-case names; repeated fields joined with ', '; absent names are undefined. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** Parses back-to-back HTTP/1.1 responses (Content-Length, chunked, or to the end). Enough for tests. */
export function parseResponses(data: Buffer, options: { headRequests?: number } = {}): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let p = 0;
  let heads = options.headRequests ?? 0;
  while (p < data.length) {
    const end = data.indexOf('\r\n\r\n', p, 'latin1');
    if (end < 0) throw new Error(`incomplete head at ${p}: ${JSON.stringify(data.subarray(p, p + 80).toString('latin1'))}`);
    const lines = data.subarray(p, end).toString('latin1').split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    const headers: Record<string, string | undefined> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      const name = line.slice(0, i).toLowerCase();
      const value = line.slice(i + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    p = end + 4;
    let body: Buffer;
    const noBody = status < 200 || status === 204 || status === 304 || heads > 0;
    if (heads > 0) heads--;
    if (noBody) body = Buffer.alloc(0);
    else if (headers['transfer-encoding'] === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const le = data.indexOf('\r\n', p, 'latin1');
        const size = le < 0 ? NaN : parseInt(data.subarray(p, le).toString('latin1'), 16);
        // A truncated or malformed chunked body: report it rather than loop.
        if (!Number.isInteger(size) || size < 0 || le + 2 + size > data.length) {
          throw new Error(`incomplete chunked body at ${p}: ${JSON.stringify(data.subarray(p, p + 80).toString('latin1'))}`);
        }
        p = le + 2;
        if (size === 0) {
          // The trailer section (usually empty) ends with an empty line.
          const end = data[p] === 13 && data[p + 1] === 10 ? p : data.indexOf('\r\n\r\n', p, 'latin1') + 2;
          if (end < p) throw new Error(`incomplete trailer section at ${p}`);
          p = end + 2;
          break;
        }
        parts.push(data.subarray(p, p + size));
        p += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      body = data.subarray(p, p + n);
      p += n;
    } else {
      body = data.subarray(p);
      p = data.length;
    }
    out.push({ status, headers, body });
  }
  return out;
}

/** How many complete responses `data` holds (a partial last one is not counted). */
export function countCompleteResponses(data: Buffer, headRequests = 0): number {
  let n = 0;
  let p = 0;
  let heads = headRequests;
  while (p < data.length) {
    const end = data.indexOf('\r\n\r\n', p, 'latin1');
    if (end < 0) return n;
    const head = data.subarray(p, end).toString('latin1').toLowerCase();
    const status = Number(head.slice(9, 12));
    p = end + 4;
    const noBody = status < 200 || status === 204 || status === 304 || heads > 0;
    if (heads > 0) heads--;
    if (!noBody) {
      const cl = /\r\ncontent-length: *(\d+)/.exec(head);
      if (/\r\ntransfer-encoding: *chunked/.test(head)) {
        const last = data.indexOf('\r\n0\r\n\r\n', p - 2, 'latin1');
        if (last < 0) return n;
        p = last + 7;
      } else if (cl !== null) {
        p += Number(cl[1]);
        if (p > data.length) return n;
      } else return n; // close-delimited: never complete while open
    }
    n++;
  }
  return n;
}
