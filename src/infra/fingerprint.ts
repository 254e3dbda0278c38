import { X509Certificate } from 'node:crypto';

/** 64 lower-case hex digits from any common spelling (colons, spaces, `sha256/` prefix, any case); undefined if it is not one. */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text
    .trim()
    .replace(/^sha-?256[/:=\s]*/i, '')
    .replace(/[\s:]/g, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

/** `AB:CD:…` — how browsers and `openssl x509 -fingerprint` show it, for people to compare. */
export function formatFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}

/** SHA-256 fingerprint of a PEM certificate, normalized. */
export function fingerprintOfPem(pem: string): string {
  const fp = normalizeFingerprint(new X509Certificate(pem).fingerprint256);
  if (!fp) throw new Error('the certificate has no SHA-256 fingerprint');
  return fp;
}
