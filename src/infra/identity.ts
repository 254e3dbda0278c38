import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

// A device's identity: an Ed25519 keypair. The secret half is kept as text ("ed25519:" and the
// 32-byte seed in base64url) in the editor's SecretStorage; only the public half and signatures
// ever leave the machine.

const PREFIX = 'ed25519:';
/** PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): a fixed 16-byte header, then the 32 bytes. */
const PKCS8_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex');
/** SPKI wrapping of a raw Ed25519 public key: a fixed 12-byte header, then the 32 bytes. */
const SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex');

export interface Identity {
  /** The public key, 32 bytes base64url (what `hello.key` carries). */
  readonly publicKey: string;
  /** Ed25519 signature of the UTF-8 text, base64url. */
  sign(text: string): string;
}

/** A new identity secret. Keep it secret: it proves who this device is. */
export function newIdentitySecret(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export function isIdentitySecret(text: string): boolean {
  return text.startsWith(PREFIX) && Buffer.from(text.slice(PREFIX.length), 'base64url').length === 32;
}

export function loadIdentity(secret: string): Identity {
  if (!isIdentitySecret(secret)) throw new Error('not an identity secret (ed25519:<32 bytes base64url>)');
  const seed = Buffer.from(secret.slice(PREFIX.length), 'base64url');
  const key: KeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_HEADER, seed]), format: 'der', type: 'pkcs8' });
  const der = createPublicKey(key).export({ format: 'der', type: 'spki' });
  const publicKey = der.subarray(SPKI_HEADER.length).toString('base64url');
  return { publicKey, sign: (text) => sign(null, Buffer.from(text, 'utf8'), key).toString('base64url') };
}

/** Whether `sig` is `publicKey`'s signature of `text`; false for anything malformed. */
export function verifySignature(publicKey: string, text: string, sig: string): boolean {
  const raw = Buffer.from(publicKey, 'base64url');
  const signature = Buffer.from(sig, 'base64url');
  if (raw.length !== 32 || signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_HEADER, raw]), format: 'der', type: 'spki' });
    return verify(null, Buffer.from(text, 'utf8'), key, signature);
  } catch {
    return false;
  }
}
