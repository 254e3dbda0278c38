import { randomBytes } from 'node:crypto';

/** A client message id: 22 url-safe characters, random (128 bits), starting with a letter. */
export function newMessageId(): string {
  return 'm' + randomBytes(16).toString('base64url').replace(/[-_]/g, 'x');
}

/** A request id for a request/response pair on one connection. */
let counter = 0;
export function newRequestId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return 'q' + counter.toString(36);
}

/** A new identity key: 32 random bytes as 64 hex characters. Keep it secret; it proves who you are. */
export function newIdentityKey(): string {
  return randomBytes(32).toString('hex');
}
