import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { certificateCovers, defaultSubjects, loadOrCreateCertificate } from '../../server/cert';

const subjects = { dns: ['localhost', 'my-laptop'], ips: ['127.0.0.1', '::1', '192.168.1.23'] };

test('first start makes a certificate covering localhost, the hostname and LAN addresses; later starts reuse it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wp-cert-'));
  try {
    const first = await loadOrCreateCertificate(dir, subjects);
    assert.ok(first.created);
    const san = new X509Certificate(first.cert).subjectAltName ?? '';
    for (const s of ['DNS:localhost', 'DNS:my-laptop', 'IP Address:127.0.0.1', 'IP Address:192.168.1.23']) assert.ok(san.includes(s), `${s} in ${san}`);
    assert.is(statSync(join(dir, 'key.pem')).mode & 0o777, 0o600, 'private key is 0600');
    const second = await loadOrCreateCertificate(dir, subjects);
    assert.not.ok(second.created);
    assert.is(second.cert, first.cert);
    // The laptop moved to another network: a new address is not covered, so a new certificate is made.
    const moved = await loadOrCreateCertificate(dir, { ...subjects, ips: ['127.0.0.1', '10.0.0.5'] });
    assert.ok(moved.created);
    assert.ok(readFileSync(join(dir, 'cert.pem'), 'utf8') === moved.cert);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an expiring or unreadable certificate is not reused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wp-cert-'));
  try {
    const { cert } = await loadOrCreateCertificate(dir, subjects);
    assert.ok(certificateCovers(cert, subjects));
    assert.not.ok(certificateCovers(cert, subjects, Date.now() + 365 * 24 * 3600 * 1000), 'a year later it has expired');
    assert.not.ok(certificateCovers('not a pem', subjects));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('default subjects include localhost and loopback addresses', () => {
  const s = defaultSubjects();
  assert.ok(s.dns.includes('localhost'));
  assert.ok(s.ips.includes('127.0.0.1') && s.ips.includes('::1'));
});
test.run();
