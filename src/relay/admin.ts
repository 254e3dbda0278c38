import type { Member, TeamRole } from '../protocol/wire';
import { nameKey } from '../protocol/names';
import type { RoomFacts } from '../protocol/roles';
import { manageRefusal } from './rules';
import type { ConversationRecord, RemovedRecord, Store, UserRecord } from './store';

// Team administration's state: roles, removed members, and who created (so manages) a room, in
// the store and in memory. The rules are in protocol/roles.ts and relay/rules.ts; the acts
// (member.remove, member.role, secret.rotate) are handlers/admin.ts; the team secret is
// teamSecret.ts. docs/PROTOCOL.md "Roles" describes it.

export interface AdminOptions {
  /** The member who owns the team (`parley-relay --owner`, the hosting member), by name. */
  owner?: string;
}

/** Names compared as the relay compares them: by their key (NFKC, case folding, confusable skeleton; protocol/names.ts). */
function sameName(a: string, b: string): boolean {
  return nameKey(a.normalize('NFC').trim()) === nameKey(b.normalize('NFC').trim());
}

export class TeamAdmin {
  private readonly roles = new Map<string, 'owner' | 'admin'>();
  private readonly removed = new Map<string, RemovedRecord>();
  private readonly creators: Map<string, string>;

  constructor(
    private readonly store: Store,
    private readonly opts: AdminOptions,
    private readonly log: (line: string) => void,
  ) {
    for (const r of store.roles()) this.roles.set(r.user, r.role);
    for (const r of store.removedMembers()) this.removed.set(r.user, r);
    this.creators = store.roomCreators();
  }

  // ---- roles ----

  roleOf(user: string): TeamRole {
    return this.roles.get(user) ?? 'member';
  }

  isRemoved(user: string): boolean {
    return this.removed.has(user);
  }

  removal(user: string): RemovedRecord | undefined {
    return this.removed.get(user);
  }

  /** How many owners the team has (the last one may not go). */
  owners(): number {
    let n = 0;
    for (const r of this.roles.values()) if (r === 'owner') n++;
    return n;
  }

  /** The fields a member's record carries on the wire besides id, name and presence. */
  memberFlags(user: string): Pick<Member, 'role' | 'removed'> {
    const role = this.roles.get(user);
    return { ...(role ? { role } : {}), ...(this.removed.has(user) ? { removed: true } : {}) };
  }

  /**
   * Gives the team its owner: the member named at start (once they exist), else, while the team
   * has no owner, its first member (the earliest still on the team). Returns members whose role
   * changed.
   */
  resolveOwner(users: Iterable<UserRecord>): string[] {
    const list = [...users].filter((u) => !this.removed.has(u.id));
    let pick: UserRecord | undefined;
    const owner = this.opts.owner;
    if (owner !== undefined) pick = list.find((u) => sameName(u.name, owner));
    else if (this.owners() === 0) pick = list.sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1))[0];
    if (!pick || this.roles.get(pick.id) === 'owner') return [];
    this.store.setRole(pick.id, 'owner');
    this.roles.set(pick.id, 'owner');
    this.log(`${pick.name} (${pick.id}) owns the team`);
    return [pick.id];
  }

  // ---- rooms ----

  creatorOf(conv: string): string | undefined {
    return this.creators.get(conv);
  }

  roomCreated(conv: string, user: string): void {
    this.store.setRoomCreator(conv, user);
    this.creators.set(conv, user);
  }

  /** What the rules (src/relay/rules.ts) need to know about a room. */
  roomFacts(state: { rec: ConversationRecord }): RoomFacts {
    return { kind: state.rec.kind, name: state.rec.name, ...(this.creators.has(state.rec.id) ? { creator: this.creators.get(state.rec.id) } : {}) };
  }

  /** Why `user` may not change the topic, archive or pins of `state` (undefined: they may). */
  manageRefusal(user: string, state: { rec: ConversationRecord }, act: 'topic' | 'archive' | 'pin'): string | undefined {
    return manageRefusal({ id: user, role: this.roleOf(user) }, this.roomFacts(state), act)?.message;
  }

  /** Who holds which role besides `member`. */
  roleHolders(): ReadonlyMap<string, 'owner' | 'admin'> {
    return this.roles;
  }

  /** Gives `user` a role (kept in the store). */
  setRole(user: string, role: TeamRole): void {
    this.store.setRole(user, role);
    if (role === 'member') this.roles.delete(user);
    else this.roles.set(user, role);
  }

  /** Marks a member removed (their rooms left in the same write); they lose any role. */
  markRemoved(record: RemovedRecord, rooms: string[]): void {
    this.store.markRemoved(record, rooms);
    this.removed.set(record.user, record);
    this.roles.delete(record.user);
  }
}
