import { DEFAULT_ROOM } from './constants';
import type { TeamRole } from './wire';

// Who may do what to the team and its rooms: every rule the relay enforces for administration,
// as pure functions of roles. Each returns undefined when the act is allowed, else the sentence
// the refusal carries (error code `forbidden`). docs/PROTOCOL.md "Roles" is the same in prose.

export type { TeamRole };

const RANK: Record<TeamRole, number> = { member: 0, admin: 1, owner: 2 };

export function isAdmin(role: TeamRole): boolean {
  return RANK[role] >= RANK.admin;
}

/** What the rules need to know about a room. */
export interface RoomFacts {
  kind: 'room' | 'dm';
  name: string;
  /** The member who created it (absent: #general, and rooms from before roles). */
  creator?: string;
}

/**
 * Removing `target` from the team. Admins remove members; owners also remove admins and other
 * owners (never the last owner: `owners` counts them). Nobody removes themselves.
 */
export function canRemove(
  actor: { id: string; role: TeamRole },
  target: { id: string; role: TeamRole; removed?: boolean },
  owners: number,
): string | undefined {
  if (!isAdmin(actor.role)) return 'only admins and owners can remove members';
  if (actor.id === target.id) return 'you cannot remove yourself; ask another admin';
  if (target.removed) return 'that member was already removed';
  if (actor.role !== 'owner' && target.role !== 'member') return `only an owner can remove ${target.role === 'owner' ? 'an owner' : 'an admin'}`;
  if (target.role === 'owner' && owners <= 1) return 'the team would have no owner left';
  return undefined;
}

/**
 * Giving `target` the role `role`. Only owners change roles (make admins and owners, take them
 * back). An owner may step down only while another owner remains.
 */
export function canSetRole(
  actor: { id: string; role: TeamRole },
  target: { id: string; role: TeamRole; removed?: boolean },
  role: TeamRole,
  owners: number,
): string | undefined {
  if (actor.role !== 'owner') return 'only owners can change roles';
  if (target.removed) return 'that member was removed from the team';
  if (target.role === role) return `that member is already ${article(role)}`;
  if (target.role === 'owner' && owners <= 1) return 'the team would have no owner left; make someone else an owner first';
  return undefined;
}

/** Replacing the team secret: admins and owners. */
export function canRotate(actor: { role: TeamRole }): string | undefined {
  return isAdmin(actor.role) ? undefined : 'only admins and owners can rotate the team secret';
}

/**
 * Changing a room itself: its topic, archiving or unarchiving it, pinning and unpinning in it.
 * Admins manage every room; a room's creator manages that room; #general only admins. In a
 * direct message both members pin (there is no topic or archive).
 */
export function canManageRoom(actor: { id: string; role: TeamRole }, room: RoomFacts, act: 'topic' | 'archive' | 'pin'): string | undefined {
  if (room.kind === 'dm') return undefined;
  if (isAdmin(actor.role)) return undefined;
  const what = act === 'topic' ? 'change the topic of' : act === 'archive' ? 'archive or unarchive' : 'pin or unpin messages in';
  if (room.name === DEFAULT_ROOM) return `only admins can ${what} #${DEFAULT_ROOM}`;
  if (room.creator !== undefined && room.creator === actor.id) return undefined;
  return `only the room's creator or an admin can ${what} #${room.name}`;
}

function article(role: TeamRole): string {
  return role === 'member' ? 'a member' : role === 'admin' ? 'an admin' : 'an owner';
}
