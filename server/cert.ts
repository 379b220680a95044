/**
 * The HTTPS certificate: a self-signed one made with `selfsigned` on first start and reused,
 * or the user's own (`--cert`/`--key`, e.g. from mkcert).
 *
 * The generated certificate is regenerated when it has expired (or expires within a day) or when
 * one of the machine's current addresses is missing from its subjectAltNames (the laptop moved to
 * another Wi-Fi). The private key is written with mode 0600 and lives outside every served folder.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/Security/Secure_Contexts
 */
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';

/** PEM texts of a certificate and its private key. */
export interface CertificatePair {
  cert: string;
  key: string;
}

/** The names and addresses a certificate for this machine must cover. */
export interface CertificateSubjects {
  dns: string[];
  ips: string[];
}

/** Every non-internal IPv4 address of this machine (the "Network" URLs). */
export function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
}

/** localhost, the hostname, 127.0.0.1, ::1 and every LAN IPv4 address. */
export function defaultSubjects(): CertificateSubjects {
  const dns = [...new Set(['localhost', hostname()].filter(Boolean))];
  return { dns, ips: ['127.0.0.1', '::1', ...lanAddresses()] };
}

/**
 * Whether `pem` is still usable for `subjects` at `now`: not expiring within a day, and every
 * name and address present in its subjectAltName.
 */
export function certificateCovers(pem: string, subjects: CertificateSubjects, now = Date.now()): boolean {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch {
    return false; // unreadable file: make a new one
  }
  if (Date.parse(x509.validTo) - now < 24 * 3600 * 1000) return false;
  const san = (x509.subjectAltName ?? '').split(',').map((s) => s.trim());
  const has = (entry: string) => san.includes(entry);
  return subjects.dns.every((d) => has(`DNS:${d}`)) && subjects.ips.every((ip) => has(`IP Address:${ip}`) || has(`IP Address:${expandV6(ip)}`));
}

function expandV6(ip: string): string {
  if (ip !== '::1') return ip;
  return '0:0:0:0:0:0:0:1';
}

/**
 * Loads the self-signed certificate from `dir` (`cert.pem`, `key.pem`), making a new one when
 * there is none, it is expiring, or it lacks one of `subjects`.
 *
 * @returns the PEM pair and whether it was freshly generated.
 */
export async function loadOrCreateCertificate(
  dir: string,
  subjects: CertificateSubjects = defaultSubjects(),
): Promise<CertificatePair & { created: boolean }> {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  try {
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    if (certificateCovers(cert, subjects)) return { cert, key, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 365 * 24 * 3600 * 1000);
  // Loaded only to make a certificate (first start): it is most of the server's start-up CPU otherwise.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'webrtc-playground (local)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...subjects.dns.map((value) => ({ type: 2 as const, value })),
          ...subjects.ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyPath, pems.private, { mode: 0o600 });
  await chmod(keyPath, 0o600);
  await writeFile(certPath, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, created: true };
}

/** Reads the user's own certificate and key (`--cert`, `--key`). @throws when a file cannot be read. */
export async function loadCertificateFiles(certPath: string, keyPath: string): Promise<CertificatePair> {
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { cert, key };
}
