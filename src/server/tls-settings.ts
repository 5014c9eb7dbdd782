// serve({ tls }): what HTTPS takes (certificates in PEM, from files or bytes) and the checks it goes through. Key
// decision: a string that holds "-----BEGIN" is PEM text and any other string is a file path, read at start-up and
// again at each reload, so a renewed certificate (certbot) is picked up by server.reloadTls() or SIGHUP.
import { checkKnownKeys, OptionError } from './option-error.js';

/** PEM text or bytes, or the path of a PEM file (a string without "-----BEGIN"). */
export type PemSource = string | Uint8Array;

/** One certificate: the leaf then its chain, its private key, and CAs that complete the chain. */
export interface TlsCertificate {
  /** Leaf certificate first, then the intermediates to send (PEM, or a file path). */
  readonly cert: PemSource;
  /** Private key, PKCS#8, PKCS#1 or SEC1 (PEM, or a file path). */
  readonly key: PemSource;
  /** Decrypts an encrypted key; without it such a key is refused (there is never a prompt). */
  readonly passphrase?: string | undefined;
  /** CA certificates that complete the chain sent to clients (PEM, or a file path). */
  readonly ca?: PemSource | undefined;
}

/** serve({ tls }): HTTPS on every listener of the server, with Mozilla's "intermediate" defaults. */
export interface TlsSettings extends TlsCertificate {
  /** Other certificates by SNI host name: an exact name, or '*.example.com' for one more label. Unknown names get
   *  the default certificate (nginx's default server). */
  readonly sni?: Readonly<Record<string, TlsCertificate>> | undefined;
  /** Lowest protocol accepted: 'TLSv1.2' (default) or 'TLSv1.3'; the highest is always TLS 1.3. */
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3' | undefined;
  /** ALPN protocols in server preference (default ['http/1.1']); a client offering none of them gets an alert. */
  readonly alpn?: readonly string[] | undefined;
  /** How often this process makes a new session ticket key (default 1 hour, as nginx's recommended rotation);
   *  0 = never here: the caller rotates with rotateTicketKeys() (prefork workers share the supervisor's key). */
  readonly ticketKeyRotationMs?: number | undefined;
}

const CERTIFICATE_KEYS: readonly string[] = ['cert', 'key', 'passphrase', 'ca'];
const TLS_KEYS: readonly string[] = [...CERTIFICATE_KEYS, 'sni', 'minVersion', 'alpn', 'ticketKeyRotationMs'];

/** Checks the shape of settings.tls (null = plain HTTP); a problem is an OptionError naming the key. */
export function checkTlsSettings(tls: unknown): TlsSettings | null {
  if (tls === null || tls === undefined) return null;
  if (typeof tls !== 'object' || Array.isArray(tls)) throw invalid('tls', `settings.tls must be an object { cert, key, ... } or null, got ${describe(tls)}`);
  checkKnownKeys('tls key', tls, TLS_KEYS);
  const t = tls as TlsSettings;
  checkCertificate(t, 'tls');
  if (t.sni !== undefined) {
    if (typeof t.sni !== 'object' || t.sni === null || Array.isArray(t.sni)) throw invalid('tls.sni', 'settings.tls.sni must be an object { "host.example": { cert, key } }');
    for (const [name, entry] of Object.entries(t.sni)) {
      if (!/^(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/.test(name)) throw invalid('tls.sni', `settings.tls.sni: '${name}' is not a host name (or *.parent)`);
      if (typeof entry !== 'object' || entry === null) throw invalid(`tls.sni.${name}`, `settings.tls.sni['${name}'] must be { cert, key }`);
      checkKnownKeys(`tls.sni['${name}'] key`, entry, CERTIFICATE_KEYS);
      checkCertificate(entry, `tls.sni['${name}']`);
    }
  }
  if (t.minVersion !== undefined && t.minVersion !== 'TLSv1.2' && t.minVersion !== 'TLSv1.3') {
    throw invalid('tls.minVersion', `settings.tls.minVersion must be 'TLSv1.2' or 'TLSv1.3', got ${describe(t.minVersion)}`);
  }
  if (t.alpn !== undefined && !(Array.isArray(t.alpn) && t.alpn.length > 0 && t.alpn.every((p) => typeof p === 'string' && p.length > 0 && Buffer.byteLength(p) < 256))) {
    throw invalid('tls.alpn', "settings.tls.alpn must be a non-empty list of protocol names (e.g. ['http/1.1'])");
  }
  const rotation = t.ticketKeyRotationMs;
  if (rotation !== undefined && !(typeof rotation === 'number' && rotation >= 0 && rotation <= 2 ** 31 - 1)) {
    throw invalid('tls.ticketKeyRotationMs', `settings.tls.ticketKeyRotationMs must be 0 or a number of ms, got ${describe(rotation)}`);
  }
  return t;
}

function checkCertificate(c: TlsCertificate, where: string): void {
  for (const field of ['cert', 'key'] as const) {
    if (!isPemSource(c[field])) throw invalid(`${where}.${field}`, `settings.${where}.${field} must be PEM text, PEM bytes or a file path, got ${describe(c[field])}`);
  }
  if (c.ca !== undefined && !isPemSource(c.ca)) throw invalid(`${where}.ca`, `settings.${where}.ca must be PEM text, PEM bytes or a file path`);
  if (c.passphrase !== undefined && typeof c.passphrase !== 'string') throw invalid(`${where}.passphrase`, `settings.${where}.passphrase must be a string`);
}

function isPemSource(v: unknown): v is PemSource {
  return (typeof v === 'string' && v !== '') || (v instanceof Uint8Array && v.length > 0);
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? JSON.stringify(v) : typeof v;
}

function invalid(key: string, message: string): OptionError {
  return new OptionError('INVALID_OPTION', key, message);
}
