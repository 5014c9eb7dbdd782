// TLS settings -> a native TLS context: PEM files read, SNI entries listed, the plain-HTTP answer composed once, and
// OpenSSL's refusals turned into a TlsError that names the file (or field) at fault. Cold path: start-up and reload.
import { readFileSync } from 'node:fs';
import type { NativeBinding, NativeTlsCredentials, NativeTlsOptions, NativeTlsSniEntry } from '../native/index.js';
import type { PemSource, TlsCertificate, TlsSettings } from './tls-settings.js';

/** Why a certificate could not be used: a file that cannot be read (ENOENT, EACCES...) or one OpenSSL refused. */
export type TlsErrorCode =
  | 'ERR_SLUICE_TLS_CERT'
  | 'ERR_SLUICE_TLS_KEY'
  | 'ERR_SLUICE_TLS_KEY_MISMATCH'
  | 'ERR_SLUICE_TLS_CA'
  | 'ERR_SLUICE_TLS_INIT'
  | 'ERR_SLUICE_TLS_OPENSSL'
  | 'ERR_SLUICE_TLS_FILE';

/** A certificate, key or CA that could not be used; the message names the file or the setting. */
export class TlsError extends Error {
  /** Match on this, never on the message. */
  readonly code: TlsErrorCode;
  /** The file at fault, or null when the PEM came as text or bytes. */
  readonly path: string | null;

  constructor(code: TlsErrorCode, message: string, path: string | null, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'TlsError';
    this.code = code;
    this.path = path;
  }
}

/** The answer to plain HTTP on the TLS port (nginx's 400), composed once per server: the native layer sends it in
 *  the clear and closes. It has no Date field: the bytes are fixed at start-up, and a stale date would be wrong. */
export function plainHttpReply(serverName: string): Uint8Array {
  const body = '400 Bad Request: this port speaks HTTPS, and a plain HTTP request was sent to it.\nUse https:// in the URL.\n';
  const server = serverName === '' ? '' : `Server: ${serverName}\r\n`;
  return Buffer.from(`HTTP/1.1 400 Bad Request\r\n${server}Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n` +
    `Connection: close\r\n\r\n${body}`, 'latin1');
}

/** Reads every PEM and builds a native context: its id. Throws TlsError naming the file that failed. */
export function buildTlsContext(native: NativeBinding, tls: TlsSettings, reply: Uint8Array): number {
  const main = loadCertificate(tls, 'tls');
  const sni: NativeTlsSniEntry[] = Object.entries(tls.sni ?? {}).map(([serverName, c]) => ({ serverName, ...loadCertificate(c, `tls.sni['${serverName}']`).credentials }));
  const options: NativeTlsOptions = {
    ...main.credentials,
    sni,
    plainHttpReply: reply,
    ...(tls.minVersion === undefined ? {} : { minVersion: tls.minVersion }),
    ...(tls.alpn === undefined ? {} : { alpn: tls.alpn }),
  };
  try {
    return native.createTlsContext(options);
  } catch (err) {
    // The native error does not say which certificate failed: find it by trying each alone (only on failure).
    const culprit = [main, ...Object.entries(tls.sni ?? {}).map(([name, c]) => loadCertificate(c, `tls.sni['${name}']`))]
      .find((c) => !usable(native, c.credentials)) ?? main;
    throw describeFailure(err, culprit);
  }
}

/** One certificate's PEM, read, with where each part came from (for messages). */
interface LoadedCertificate {
  readonly credentials: NativeTlsCredentials;
  readonly origin: Readonly<Record<'cert' | 'key' | 'ca', string>>;
  readonly paths: Readonly<Record<'cert' | 'key' | 'ca', string | null>>;
}

function loadCertificate(c: TlsCertificate, where: string): LoadedCertificate {
  const cert = readPem(c.cert, `${where}.cert`);
  const key = readPem(c.key, `${where}.key`);
  const ca = c.ca === undefined ? null : readPem(c.ca, `${where}.ca`);
  const credentials: NativeTlsCredentials = {
    cert: cert.pem,
    key: key.pem,
    ...(c.passphrase === undefined ? {} : { passphrase: c.passphrase }),
    ...(ca === null ? {} : { ca: ca.pem }),
  };
  return {
    credentials,
    origin: { cert: cert.origin, key: key.origin, ca: ca?.origin ?? `${where}.ca` },
    paths: { cert: cert.path, key: key.path, ca: ca?.path ?? null },
  };
}

function readPem(source: PemSource, field: string): { pem: PemSource; origin: string; path: string | null } {
  if (typeof source !== 'string' || source.includes('-----BEGIN')) return { pem: source, origin: `${field} (PEM)`, path: null };
  try {
    return { pem: readFileSync(source), origin: source, path: source };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    const part = field.endsWith('.cert') ? 'certificate' : field.endsWith('.key') ? 'private key' : 'CA file';
    throw new TlsError('ERR_SLUICE_TLS_FILE', `cannot read the TLS ${part} ${source} (${field}): ${why}`, source, err);
  }
}

function usable(native: NativeBinding, credentials: NativeTlsCredentials): boolean {
  try {
    native.freeTlsContext(native.createTlsContext(credentials));
    return true;
  } catch {
    return false;
  }
}

const WHAT: Readonly<Record<string, { part: 'cert' | 'key' | 'ca'; text: string }>> = {
  ERR_SLUICE_TLS_CERT: { part: 'cert', text: 'is not a usable PEM certificate' },
  ERR_SLUICE_TLS_KEY: { part: 'key', text: 'is not a usable PEM private key' },
  ERR_SLUICE_TLS_KEY_MISMATCH: { part: 'key', text: 'does not match the certificate' },
  ERR_SLUICE_TLS_CA: { part: 'ca', text: 'is not a usable PEM CA certificate' },
};

function describeFailure(err: unknown, c: LoadedCertificate): Error {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('ERR_SLUICE_TLS')) return err as Error;
  const what = WHAT[code];
  if (what === undefined) return new TlsError(code as TlsErrorCode, `TLS: ${(err as Error).message}`, null, err);
  // Keep OpenSSL's reason (after the native "what:" prefix) so an expert can tell a wrong password from a bad file.
  const reason = (err as Error).message;
  const detail = what.part === 'key' && code === 'ERR_SLUICE_TLS_KEY_MISMATCH' ? ` ${c.origin.cert}` : '';
  return new TlsError(code as TlsErrorCode, `TLS ${what.part === 'cert' ? 'certificate' : what.part === 'key' ? 'private key' : 'CA'} ${c.origin[what.part]} ${what.text}${detail} (${reason})`, c.paths[what.part], err);
}
