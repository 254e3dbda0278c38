import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ClientStore } from '../client/clientStore';
import { claimSlot } from '../infra/pidLock';

/**
 * The cache file of one team and name on this machine, in the first slot no other live window
 * holds (two windows signed in to one team each get their own file). The slot is released when
 * the cache cannot be opened.
 */
export function openCache(globalStorage: string, url: string, name: string): { store: ClientStore; release(): void } {
  const dir = join(globalStorage, 'cache');
  const base = createHash('sha256').update(`${url}\n${name.toLowerCase()}`).digest('hex').slice(0, 16);
  const slot = claimSlot(dir, base);
  try {
    return { store: new ClientStore(join(dir, `${base}-${slot.slot}.sqlite`)), release: slot.release };
  } catch (err) {
    slot.release();
    throw err;
  }
}
