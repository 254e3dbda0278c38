import { randomBytes } from 'node:crypto';

/** A prefix and 12 random characters: the relay's ids for conversations, files, members, devices, sessions. */
export function newId(prefix: string): string {
  return prefix + randomBytes(9).toString('base64url').replace(/[-_]/g, 'x');
}
