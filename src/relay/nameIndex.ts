import { nameKey, nameKeys } from '../protocol/names';
import type { ReservedName, Store, UserRecord } from './store';

/** How many names a member's renames keep for them; the oldest goes when a rename would pass it. */
export const MAX_RESERVED_PER_MEMBER = 5;

export type NameClash =
  { kind: 'member'; user: UserRecord; message: string } | { kind: 'reserved'; user: UserRecord | undefined; reserved: ReservedName; message: string };

/**
 * Which member holds which name (docs/PROTOCOL.md, "Member names"). Every member's name and every
 * reserved name is indexed under both its keys (nameKey and lookKey), so a name that shares either
 * key with a member's or a reserved name is taken. A member keeps the name they have: members whose
 * names came to share a key by a data update both stay, and sign in as they are.
 */
export class NameIndex {
  /** Members by each key of their name (more than one only where a data update made names clash). */
  private readonly members = new Map<string, UserRecord[]>();
  private readonly exact = new Map<string, UserRecord>();
  private readonly reserved = new Map<string, ReservedName[]>();

  constructor(
    private readonly store: Store,
    private readonly users: ReadonlyMap<string, UserRecord>,
  ) {
    for (const r of store.reservedNames()) put(this.reserved, nameKeys(r.name), r);
  }

  add(u: UserRecord): void {
    if (!this.exact.has(u.name)) this.exact.set(u.name, u);
    put(this.members, nameKeys(u.name), u);
  }

  /** The member called exactly this, else the one whose name this passes for. */
  member(name: string): UserRecord | undefined {
    return this.exact.get(name) ?? find(this.members, name, () => true);
  }

  /** What makes `name` unavailable to `self` (undefined for a newcomer), or undefined when it is free. */
  clash(name: string, self?: UserRecord): NameClash | undefined {
    if (self && self.name === name) return undefined;
    const user = find(this.members, name, (u) => u !== self);
    if (user) {
      const message =
        nameKey(user.name) === nameKey(name)
          ? `the name ${name} belongs to another member`
          : `the name ${name} could pass for ${user.name}, another member's name`;
      return { kind: 'member', user, message };
    }
    const reserved = find(this.reserved, name, (r) => r.user !== self?.id);
    if (reserved) {
      const holder = this.users.get(reserved.user);
      const now = holder ? `, now called ${holder.name},` : '';
      const like = nameKey(reserved.name) === nameKey(name) ? '' : ` (it could pass for ${reserved.name})`;
      return {
        kind: 'reserved',
        user: holder,
        reserved,
        message: `the name ${name} is reserved${like}: the member who was called ${reserved.name}${now} may take it back, nobody else may`,
      };
    }
    return undefined;
  }

  /**
   * Renames a member (after clash() found the name free for them): stores the new name, keeps the
   * old one for them (at most MAX_RESERVED_PER_MEMBER, the oldest going first), and releases the
   * reservations of theirs that the new name takes back.
   */
  rename(u: UserRecord, name: string): void {
    const old = u.name;
    const norm = nameKey(name);
    this.store.renameUser(u.id, name, norm);
    drop(this.members, nameKeys(old), u);
    if (this.exact.get(old) === u) this.exact.delete(old);
    u.name = name;
    u.norm = norm;
    this.add(u);
    const newKeys = nameKeys(name);
    const mine = () => [...new Set([...this.reserved.values()].flat())].filter((r) => r.user === u.id).sort((a, b) => a.since - b.since);
    for (const r of mine()) if (nameKeys(r.name).some((k) => newKeys.includes(k))) this.release(r);
    const oldKey = nameKey(old);
    if (nameKeys(old).some((k) => newKeys.includes(k)) || this.reserved.get(oldKey)?.some((r) => r.norm === oldKey)) return;
    const kept = mine();
    for (const r of kept.slice(0, Math.max(0, kept.length - MAX_RESERVED_PER_MEMBER + 1))) this.release(r);
    const r: ReservedName = { norm: oldKey, user: u.id, name: old, since: Date.now() };
    this.store.reserveName(r);
    put(this.reserved, nameKeys(old), r);
  }

  private release(r: ReservedName): void {
    this.store.releaseName(r.norm);
    drop(this.reserved, nameKeys(r.name), r);
  }
}

function put<T>(map: Map<string, T[]>, keys: string[], v: T): void {
  for (const k of keys) {
    const list = map.get(k);
    if (!list) map.set(k, [v]);
    else if (!list.includes(v)) list.push(v);
  }
}

function drop<T>(map: Map<string, T[]>, keys: string[], v: T): void {
  for (const k of keys) {
    const list = map.get(k)?.filter((x) => x !== v);
    if (list?.length) map.set(k, list);
    else map.delete(k);
  }
}

function find<T>(map: Map<string, T[]>, name: string, ok: (v: T) => boolean): T | undefined {
  for (const k of nameKeys(name)) {
    const v = map.get(k)?.find(ok);
    if (v) return v;
  }
  return undefined;
}
