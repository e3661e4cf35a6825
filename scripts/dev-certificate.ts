/**
 * A development TLS certificate for the ingress of docker-compose.yml (LGSP_TLS_DIR): a self-signed ECDSA P-256
 * certificate for the host names given, written as `fullchain.pem` and `privkey.pem`, the names the ingress reads.
 * For a developer's machine or a trial only: production uses the certificate the province obtains for its host names
 * (docs/runbook.md "TLS certificate"). Made with openssl (Debian: apt-get install openssl); never committed (the
 * default folder .tmp/dev-tls is ignored by git and by the Docker build).
 *
 *   npm run dev-certificate -- [--out <folder>] [--days <n>] [host …]
 *
 * Hosts default to `localhost login.localhost` (LGSP_PUBLIC_HOST and LGSP_LOGIN_HOST of a local trial); 127.0.0.1
 * and ::1 are always included. Clients trust it with e.g. `curl --cacert <folder>/fullchain.pem` or
 * `NODE_EXTRA_CA_CERTS=<folder>/fullchain.pem`.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './platform.ts';

export const DEFAULT_HOSTS = ['localhost', 'login.localhost'];

export interface DevCertificateOptions {
  /** Folder that receives fullchain.pem and privkey.pem (created if needed). */
  out: string;
  hosts: string[];
  /** Validity in days. */
  days: number;
}

const HOST_NAME = /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** The openssl binary, or a failure that says what to install. */
function openssl(): string {
  const candidate = process.env.OPENSSL_BIN ?? 'openssl';
  if (spawnSync(candidate, ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('openssl is needed to make the development certificate: apt-get install openssl, or set OPENSSL_BIN');
  }
  return candidate;
}

/** Writes `fullchain.pem` and `privkey.pem` (0600) into `options.out`; returns their paths. */
export async function writeDevCertificate(options: DevCertificateOptions): Promise<{ certificate: string; key: string }> {
  const hosts = [...new Set(options.hosts)];
  if (hosts.length === 0) throw new Error('give at least one host name');
  for (const host of hosts) {
    if (isIP(host) === 0 && !HOST_NAME.test(host)) throw new Error(`not a host name: ${JSON.stringify(host)}`);
  }
  if (!Number.isInteger(options.days) || options.days < 1 || options.days > 825) throw new Error('--days: a whole number from 1 to 825');
  const names = [...hosts, '127.0.0.1', '::1'].filter((name, i, all) => all.indexOf(name) === i);
  const subjectAltName = names.map((name) => (isIP(name) === 0 ? `DNS:${name}` : `IP:${name}`)).join(',');
  await mkdir(options.out, { recursive: true });
  // Written beside the final files, then renamed: a failed run leaves the previous pair intact.
  const work = await mkdtemp(join(options.out, '.dev-certificate-'));
  try {
    const key = join(work, 'privkey.pem');
    const certificate = join(work, 'fullchain.pem');
    const result = spawnSync(
      openssl(),
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-sha256',
        '-days',
        String(options.days),
        '-keyout',
        key,
        '-out',
        certificate,
        '-subj',
        `/O=LGSP development/CN=${hosts[0]}`,
        '-addext',
        `subjectAltName=${subjectAltName}`,
        '-addext',
        'keyUsage=critical,digitalSignature',
        '-addext',
        'extendedKeyUsage=serverAuth',
      ],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`openssl could not make the certificate:\n${result.stderr}`);
    await chmod(key, 0o600);
    await chmod(certificate, 0o644);
    const finalKey = join(options.out, 'privkey.pem');
    const finalCertificate = join(options.out, 'fullchain.pem');
    await rename(key, finalKey);
    await rename(certificate, finalCertificate);
    return { certificate: finalCertificate, key: finalKey };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, days: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help === true) {
    console.log('usage: npm run dev-certificate -- [--out <folder>] [--days <n>] [host …]   (default: .tmp/dev-tls, 90 days, localhost login.localhost)');
    return;
  }
  const out = resolve(values.out ?? join(repoRoot, '.tmp/dev-tls'));
  const written = await writeDevCertificate({ out, hosts: positionals.length > 0 ? positionals : DEFAULT_HOSTS, days: Number(values.days ?? '90') });
  console.log(`wrote ${written.certificate} and ${written.key} (self-signed, for development only)`);
  console.log(`docker-compose: LGSP_TLS_DIR=${out}; clients: curl --cacert ${written.certificate}, NODE_EXTRA_CA_CERTS=${written.certificate}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
