import { nameKey, UNICODE_DATA_VERSION } from '../protocol/names';
import { SqliteTables, type Row } from './sqliteTables';
import type { DeviceRecord, InviteRecord, ReservedName, UserRecord } from './store';

// The SQLite store's members: users and their names (with the names kept for those who renamed),
// devices, invites.

export class MemberTables extends SqliteTables {
  users(): UserRecord[] {
    return (this.db.all('SELECT id, name, norm, key_hash, created, share_read FROM users') as Row[]).map((r) => ({
      id: String(r.id),
      name: String(r.name),
      norm: String(r.norm),
      keyHash: String(r.key_hash),
      created: Number(r.created),
      shareRead: Number(r.share_read) !== 0,
    }));
  }

  createUser(u: UserRecord): void {
    this.db.run('INSERT INTO users (id, name, norm, key_hash, created) VALUES (?, ?, ?, ?, ?)', [u.id, u.name, u.norm, u.keyHash, u.created]);
  }

  renameUser(id: string, name: string, norm: string): void {
    this.db.run('UPDATE users SET name = ?, norm = ? WHERE id = ?', [name, norm, id]);
  }

  reservedNames(): ReservedName[] {
    return (this.db.all('SELECT norm, user, since, name FROM reserved_names') as Row[]).map((r) => ({
      norm: String(r.norm),
      user: String(r.user),
      name: String(r.name),
      since: Number(r.since ?? 0),
    }));
  }

  reserveName(r: ReservedName): void {
    this.db.run('INSERT OR REPLACE INTO reserved_names (norm, user, since, name) VALUES (?, ?, ?, ?)', [r.norm, r.user, r.since, r.name]);
  }

  releaseName(norm: string): void {
    this.db.run('DELETE FROM reserved_names WHERE norm = ?', [norm]);
  }

  /**
   * Members' `norm` is nameKey(name). Files from before it held the lower-cased name, and a new
   * Unicode version can change keys, so when meta 'name_keys' is not this build's data version
   * every key is computed again in one transaction. Two members whose new keys are equal both stay
   * (they were members before): the earlier one keeps the key, the later one `<key> <id>`
   * and can go on signing in under that name, and an opening note says so. Reserved names whose
   * keys now equal a member's or an earlier reservation's are dropped.
   */
  recomputeNameKeys(): string[] {
    const version = `${UNICODE_DATA_VERSION}/1`;
    if (this.meta('name_keys') === version) return [];
    const notes: string[] = [];
    this.transaction(() => {
      const users = this.db.all('SELECT id, name, norm FROM users ORDER BY created, id') as Row[];
      const holder = new Map<string, string>();
      const next = users.map((u) => {
        const key = nameKey(String(u.name));
        const first = holder.get(key);
        if (first === undefined) {
          holder.set(key, String(u.name));
          return { id: String(u.id), norm: key };
        }
        notes.push(
          `members "${first}" and "${String(u.name)}" (${String(u.id)}) have names that pass for each other (key ${JSON.stringify(key)}); both keep their names, neither can be taken by a newcomer`,
        );
        return { id: String(u.id), norm: `${key} ${String(u.id)}` };
      });
      // Through values no key can be (names hold no spaces), so no UPDATE meets a norm another row still holds.
      for (const u of next) this.db.run('UPDATE users SET norm = ? WHERE id = ?', [` ${u.id}`, u.id]);
      for (const u of next) this.db.run('UPDATE users SET norm = ? WHERE id = ?', [u.norm, u.id]);
      const reserved = this.db.all('SELECT norm, user, since, name FROM reserved_names ORDER BY since') as Row[];
      this.db.run('DELETE FROM reserved_names');
      for (const r of reserved) {
        const key = nameKey(String(r.name));
        if (holder.has(key)) continue;
        holder.set(key, String(r.name));
        this.db.run('INSERT INTO reserved_names (norm, user, since, name) VALUES (?, ?, ?, ?)', [key, String(r.user), Number(r.since ?? 0), String(r.name)]);
      }
      this.setMeta('name_keys', version);
    });
    return notes;
  }

  retireLegacyKey(id: string): void {
    this.db.run("UPDATE users SET key_hash = 'retired:' || key_hash WHERE id = ? AND key_hash NOT LIKE 'retired:%' AND key_hash NOT LIKE 'none:%'", [id]);
  }

  invites(): InviteRecord[] {
    return (this.db.all('SELECT hash, name, maker, created, expires FROM invites') as Row[]).map((r) => ({
      hash: String(r.hash),
      name: String(r.name),
      maker: String(r.maker),
      created: Number(r.created),
      expires: Number(r.expires),
    }));
  }

  addInvite(i: InviteRecord): void {
    this.db.run('INSERT INTO invites (hash, name, maker, created, expires) VALUES (?, ?, ?, ?, ?)', [i.hash, i.name, i.maker, i.created, i.expires]);
  }

  removeInvite(hash: string): void {
    this.db.run('DELETE FROM invites WHERE hash = ?', [hash]);
  }

  devices(): DeviceRecord[] {
    return (this.db.all('SELECT id, user, key, label, added, seen FROM devices') as Row[]).map((r) => ({
      id: String(r.id),
      user: String(r.user),
      key: String(r.key),
      label: String(r.label),
      added: Number(r.added),
      ...(r.seen !== null ? { seen: Number(r.seen) } : {}),
    }));
  }

  addDevice(d: DeviceRecord, with_: { user?: UserRecord; retireLegacyOf?: string } = {}): void {
    this.transaction(() => {
      if (with_.user) this.createUser(with_.user);
      if (with_.retireLegacyOf) this.retireLegacyKey(with_.retireLegacyOf);
      this.db.run('INSERT INTO devices (id, user, key, label, added, seen) VALUES (?, ?, ?, ?, ?, ?)', [d.id, d.user, d.key, d.label, d.added, d.seen ?? null]);
    });
  }

  removeDevice(id: string): void {
    this.db.run('DELETE FROM devices WHERE id = ?', [id]);
  }

  deviceSeen(id: string, at: number): void {
    this.db.run('UPDATE devices SET seen = ? WHERE id = ?', [at, id]);
  }

  setShareRead(user: string, on: boolean): void {
    this.db.run('UPDATE users SET share_read = ? WHERE id = ?', [on ? 1 : 0, user]);
  }
}
