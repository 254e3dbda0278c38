import { SqliteTables, type Row } from './sqliteTables';
import type { RemovedRecord } from './store';

// The SQLite store's side of team administration (src/relay/admin.ts): roles, removed members,
// room creators, and settings such as the team secret's hash (meta keys `team.*`).

export class TeamTables extends SqliteTables {
  roles(): { user: string; role: 'owner' | 'admin' }[] {
    return (this.db.all('SELECT user, role FROM team_roles') as Row[]).map((r) => ({ user: String(r.user), role: r.role === 'owner' ? 'owner' : 'admin' }));
  }

  setRole(user: string, role: 'owner' | 'admin' | 'member'): void {
    if (role === 'member') this.db.run('DELETE FROM team_roles WHERE user = ?', [user]);
    else this.db.run('INSERT INTO team_roles (user, role) VALUES (?, ?) ON CONFLICT (user) DO UPDATE SET role = excluded.role', [user, role]);
  }

  removedMembers(): RemovedRecord[] {
    return (this.db.all('SELECT user, by, ts FROM removed_members') as Row[]).map((r) => ({ user: String(r.user), by: String(r.by), ts: Number(r.ts) }));
  }

  markRemoved(r: RemovedRecord, rooms: string[]): void {
    this.transaction(() => {
      this.db.run('INSERT OR REPLACE INTO removed_members (user, by, ts) VALUES (?, ?, ?)', [r.user, r.by, r.ts]);
      this.db.run('DELETE FROM team_roles WHERE user = ?', [r.user]);
      for (const conv of rooms) this.db.run('DELETE FROM conv_members WHERE conv = ? AND user = ?', [conv, r.user]);
    });
  }

  roomCreators(): Map<string, string> {
    return new Map((this.db.all('SELECT conv, user FROM room_creators') as Row[]).map((r) => [String(r.conv), String(r.user)]));
  }

  setRoomCreator(conv: string, user: string): void {
    this.db.run('INSERT OR REPLACE INTO room_creators (conv, user) VALUES (?, ?)', [conv, user]);
  }

  setting(key: string): string | undefined {
    return this.meta(`team.${key}`);
  }

  setSetting(key: string, value: string): void {
    this.setMeta(`team.${key}`, value);
  }
}
