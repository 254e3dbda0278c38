import type { ConversationView, ViewSnapshot } from '../../protocol/view';
import { canManageRoom, type TeamRole } from '../../protocol/roles';

/** My role in the team, as the snapshot's member list says. */
export function myRole(snap: ViewSnapshot | undefined): TeamRole {
  const me = snap?.me?.id;
  return snap?.members.find((m) => m.id === me)?.role ?? 'member';
}

/** Whether I may change a room's topic, archive or pins: what the relay would refuse is not offered (protocol/roles.ts). */
export function mayManage(snap: ViewSnapshot | undefined, c: ConversationView | undefined, act: 'topic' | 'archive' | 'pin'): boolean {
  const me = snap?.me?.id;
  if (!c || !me) return false;
  const room = { kind: c.kind, name: c.kind === 'room' ? c.title.replace(/^#/, '') : '', ...(c.creator !== undefined ? { creator: c.creator } : {}) };
  return canManageRoom({ id: me, role: myRole(snap) }, room, act) === undefined;
}
