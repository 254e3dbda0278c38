import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fingerprintOfPem } from '../infra/fingerprint';

export interface RelayCertificate {
  key: string;
  cert: string;
  /** SHA-256 of the certificate, 64 hex digits: what clients pin. */
  fingerprint: string;
}

const CERT_FILE = 'relay-cert.pem';
const KEY_FILE = 'relay-key.pem';

/**
 * The relay's self-signed certificate, made on first use and kept in `dir` (the key readable by
 * the owner only), so its fingerprint (and every invite that pins it) stays valid across restarts.
 */
export async function loadOrCreateCertificate(dir: string): Promise<RelayCertificate> {
  const certPath = join(dir, CERT_FILE);
  const keyPath = join(dir, KEY_FILE);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, 'utf8');
    const key = readFileSync(keyPath, 'utf8');
    return { cert, key, fingerprint: fingerprintOfPem(cert) };
  }
  mkdirSync(dir, { recursive: true });
  // Loaded only here, when a certificate has to be made: selfsigned's chain (@peculiar/x509,
  // reflect-metadata) patches the global `Reflect`, which every extension in the host shares.
  const { generate } = await import('selfsigned');
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: `Parley relay on ${hostname()}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 86_400_000),
    notAfterDate: new Date(now.getTime() + 10 * 365 * 86_400_000),
  });
  // Key first, certificate last: a certificate on disk always has its key beside it.
  writeAtomic(keyPath, pems.private, 0o600);
  writeAtomic(certPath, pems.cert, 0o644);
  return { key: pems.private, cert: pems.cert, fingerprint: fingerprintOfPem(pems.cert) };
}

function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}
