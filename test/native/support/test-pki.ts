// Throwaway certificates for the TLS tests, made at test time with the openssl CLI (no private key is committed):
// a root CA, an intermediate, and P-256 (or RSA) leaves for given names; all live in a temp dir removed at exit.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One certificate and its key, as PEM text. */
export interface Issued {
  cert: string;
  key: string;
}

const CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $ENV::SAN
`;

let dir: string | null = null;
let counter = 0;

function workDir(): string {
  if (dir !== null) return dir;
  dir = mkdtempSync(join(tmpdir(), 'sluice-pki-'));
  writeFileSync(join(dir, 'openssl.cnf'), CONFIG);
  const made = dir;
  process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  return made;
}

function openssl(args: string[], san = 'DNS:unused'): void {
  execFileSync('openssl', args, { cwd: workDir(), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SAN: san } });
}

function keyArgs(kind: 'ec' | 'rsa'): string[] {
  return kind === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', 'rsa:2048'];
}

function read(name: string): string {
  return readFileSync(join(workDir(), name), 'utf8');
}

/** Issues a certificate under `issuer` (or self-signs a CA when issuer is null). */
function issue(subject: string, extensions: 'ca' | 'leaf', issuer: Issued | null, san: string, kind: 'ec' | 'rsa'): Issued {
  const id = `c${counter++}`;
  const args = ['req', '-x509', '-config', 'openssl.cnf', '-extensions', extensions, ...keyArgs(kind), '-nodes'];
  args.push('-keyout', `${id}.key`, '-out', `${id}.crt`, '-days', '2', '-subj', `/CN=${subject}`);
  if (issuer !== null) {
    writeFileSync(join(workDir(), `${id}-issuer.crt`), issuer.cert);
    writeFileSync(join(workDir(), `${id}-issuer.key`), issuer.key);
    args.push('-CA', `${id}-issuer.crt`, '-CAkey', `${id}-issuer.key`);
  }
  openssl(args, san);
  return { cert: read(`${id}.crt`), key: read(`${id}.key`) };
}

/** The test PKI: a root, an intermediate under it, and leaves issued by either. */
export class TestPki {
  readonly root = issue('Sluice Test Root', 'ca', null, 'DNS:unused', 'ec');
  readonly intermediate = issue('Sluice Test Intermediate', 'ca', this.root, 'DNS:unused', 'ec');

  /** A leaf for the given DNS names (first one is the CN), signed by the root (or the intermediate). */
  leaf(names: string[], options: { kind?: 'ec' | 'rsa'; byIntermediate?: boolean } = {}): Issued {
    const san = [...names.map((n) => `DNS:${n}`), 'IP:127.0.0.1'].join(',');
    return issue(names[0]!, 'leaf', options.byIntermediate === true ? this.intermediate : this.root, san, options.kind ?? 'ec');
  }

  /** key, encrypted with AES-256 under passphrase (PKCS#8 PEM). */
  encrypt(key: string, passphrase: string): string {
    const id = `k${counter++}`;
    writeFileSync(join(workDir(), `${id}.key`), key);
    openssl(['pkey', '-in', `${id}.key`, '-aes256', '-passout', `pass:${passphrase}`, '-out', `${id}.enc`]);
    return read(`${id}.enc`);
  }
}

let shared: TestPki | null = null;

/** The process's test PKI (made on first use). */
export function testPki(): TestPki {
  shared ??= new TestPki();
  return shared;
}
