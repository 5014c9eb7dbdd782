// `sluice serve --tls-cert FILE --tls-key FILE [--tls-sni host=cert,key ...] [--tls-self-signed]`: the checks, and the
// serve({ tls }) settings they become. Key decisions: certificates stay file paths (serve() reads them, names a bad
// one, and reads them again on SIGHUP); the self-signed certificate is made with the addon's OpenSSL calls (no openssl
// CLI, no extra dependency), for localhost and the addresses bound, and is never written to disk in one process.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNative } from '../native/index.js';
import type { TlsSettings } from '../server/index.js';

/** One --tls-sni: a host name (or *.parent) and its certificate and key files. */
export interface SniFlag {
  readonly host: string;
  readonly cert: string;
  readonly key: string;
}

/** What the TLS flags ask for: certificate files, or a throwaway self-signed certificate (PEM in memory). */
export type CliTls =
  | { readonly kind: 'files'; readonly cert: string; readonly key: string; readonly sni: readonly SniFlag[] }
  | { readonly kind: 'self-signed'; readonly names: readonly string[]; readonly sni: readonly SniFlag[] };

/** The raw TLS flag values (parseArgs' long names). */
export interface TlsFlagValues {
  readonly 'tls-cert'?: string | undefined;
  readonly 'tls-key'?: string | undefined;
  readonly 'tls-sni'?: readonly string[] | undefined;
  readonly 'tls-self-signed'?: boolean | undefined;
}

/** How long a --tls-self-signed certificate is valid: a development session, not a deployment. */
export const SELF_SIGNED_DAYS = 30;

/** The TLS flags as a CliTls (null: plain HTTP), or a message naming the problem (a usage error). */
export function checkTlsFlags(v: TlsFlagValues, host: string): CliTls | null | string {
  const cert = v['tls-cert'];
  const key = v['tls-key'];
  const sni: SniFlag[] = [];
  for (const raw of v['tls-sni'] ?? []) {
    const m = /^([^=\s]+)=([^,]+),(.+)$/.exec(raw);
    if (m === null) return `--tls-sni takes host=cert.pem,key.pem, got '${raw}'`;
    if (!/^(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(m[1]!)) return `--tls-sni: '${m[1]}' is not a host name (or *.parent)`;
    sni.push({ host: m[1]!, cert: m[2]!, key: m[3]! });
  }
  if (v['tls-self-signed'] === true) {
    if (cert !== undefined || key !== undefined) return '--tls-self-signed makes its own certificate: leave out --tls-cert and --tls-key';
    return { kind: 'self-signed', names: selfSignedNames(host), sni };
  }
  if (cert === undefined && key === undefined) return sni.length === 0 ? null : '--tls-sni needs a default certificate: add --tls-cert and --tls-key (or --tls-self-signed)';
  if (cert === undefined || key === undefined) return `--tls-${cert === undefined ? 'key' : 'cert'} needs --tls-${cert === undefined ? 'cert' : 'key'} too`;
  return { kind: 'files', cert, key, sni };
}

/** The names a self-signed certificate covers: localhost, the loopback addresses, and the host asked for. */
export function selfSignedNames(host: string): string[] {
  const names = ['localhost', '127.0.0.1', '::1'];
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare !== '' && bare !== '0.0.0.0' && bare !== '::' && !names.includes(bare)) names.push(bare);
  return names;
}

/** The serve({ tls }) settings for the flags (a self-signed certificate is made here), or null for plain HTTP. */
export function tlsSettingsOf(tls: CliTls | null, extra: Partial<TlsSettings> = {}): TlsSettings | null {
  if (tls === null) return null;
  const sni = Object.fromEntries(tls.sni.map((s) => [s.host, { cert: s.cert, key: s.key }]));
  const main = tls.kind === 'files' ? { cert: tls.cert, key: tls.key } : loadNative().createSelfSignedCertificate(tls.names, SELF_SIGNED_DAYS);
  return { ...main, ...(tls.sni.length === 0 ? {} : { sni }), ...extra };
}

/**
 * For prefork workers: a self-signed certificate made once and written to a private temp folder (0700, files 0600)
 * that the workers read, so they all serve the same certificate. Returns the file form and a cleanup.
 */
export function materializeSelfSigned(tls: CliTls | null): { tls: CliTls | null; cleanup(): void } {
  if (tls === null || tls.kind === 'files') return { tls, cleanup: () => {} };
  const made = loadNative().createSelfSignedCertificate(tls.names, SELF_SIGNED_DAYS);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
  chmodSync(dir, 0o700);
  writeFileSync(join(dir, 'cert.pem'), made.cert, { mode: 0o600 });
  writeFileSync(join(dir, 'key.pem'), made.key, { mode: 0o600 });
  return {
    tls: { kind: 'files', cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), sni: tls.sni },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The banner's phrase: 'tls off', 'tls cert.pem (+2 SNI)', 'tls self-signed (localhost, 127.0.0.1, ::1)'. */
export function describeTls(tls: CliTls | null): string {
  if (tls === null) return 'tls off';
  const sni = tls.sni.length === 0 ? '' : ` (+${tls.sni.length} SNI: ${tls.sni.map((s) => s.host).join(' ')})`;
  return tls.kind === 'files' ? `tls ${tls.cert}${sni}` : `tls self-signed for ${tls.names.join(' ')}${sni}`;
}
