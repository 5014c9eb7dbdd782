// The third-party scanner: Debian's testssl.sh finds nothing weak in serve({ tls })'s default configuration
// (protocols, cipher categories, forward secrecy, server defaults, known vulnerabilities). It takes minutes, so it
// runs only with SLUICE_TESTSSL=1 (`SLUICE_TESTSSL=1 npx ava dist/test/tls/testssl.test.js`); the default suite checks
// the protocol and cipher list with s_client (clients.test.ts). testssl.sh is installed from Debian when missing.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureCommand } from '../../bench/setup.js';
import { respond } from '../../src/index.js';
import { caFile, run, withTlsServer } from './support.js';

interface Finding {
  id: string;
  severity: string;
  finding: string;
}

// Findings about the certificate itself (the test PKI's: short-lived, no OCSP/CRL, no CAA record), not about the
// server: a deployment brings its own certificate.
const ABOUT_THE_CERTIFICATE = /^(cert_|DNS_CAArecord$|OCSP_|intermediate_cert)/;

const scan = process.env.SLUICE_TESTSSL === '1' ? test : test.skip;

scan('testssl.sh finds nothing weak in the default configuration', async (t) => {
  t.timeout(15 * 60_000);
  if (!ensureCommand('testssl', 'testssl.sh')) throw new Error('testssl.sh is not installed and could not be installed (apt-get install testssl.sh)');
  await withTlsServer(() => respond.text(200, 'ok'), {}, async (port) => {
    // testssl.sh refuses to write over an existing file: a fresh name in the test's temp folder.
    const json = join(dirname(caFile()), `testssl-${process.pid}.json`);
    const args = ['--quiet', '--color', '0', '--warnings', 'off', '--openssl-timeout', '10', '--add-ca', caFile(), '-p', '-s', '-f', '-U', '-S',
      '--jsonfile', json, `https://127.0.0.1:${port}/`];
    const ran = await run('testssl', args, '', 14 * 60_000);
    if (!existsSync(json)) throw new Error(`testssl.sh wrote no JSON (exit ${ran.code}): ${(ran.stdout + ran.stderr).slice(-800)}`);
    const findings = JSON.parse(readFileSync(json, 'utf8')) as Finding[];
    t.log(findings.map((f) => `${f.severity} ${f.id}: ${f.finding}`).join('\n'));
    t.true(findings.length > 0, `testssl.sh wrote no findings (exit ${ran.code}): ${ran.stderr.slice(-500)}`);
    const weak = findings.filter((f) => ['MEDIUM', 'HIGH', 'CRITICAL'].includes(f.severity) && !ABOUT_THE_CERTIFICATE.test(f.id));
    t.deepEqual(weak, []);
    // The scan really ran the protocol checks: TLS 1.3 and 1.2 offered, the older ones not.
    const offered = Object.fromEntries(findings.filter((f) => /^(SSLv[23]|TLS1(_[123])?)$/.test(f.id)).map((f) => [f.id, f.finding]));
    t.regex(offered.TLS1_3 ?? '', /^offered/);
    t.regex(offered.TLS1_2 ?? '', /^offered/);
    for (const old of ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1']) t.regex(offered[old] ?? '', /^not offered/, old);
  });
});
