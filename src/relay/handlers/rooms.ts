import { ErrorCode } from '../../protocol/constants';
import type { AuthedConnection } from '../connection';
import type { Frame, RelayContext } from '../context';
import { newId } from '../ids';

// Rooms and direct messages (docs/PROTOCOL.md, "Rooms"): creating, joining, leaving and listing
// rooms, and opening the one DM between two members. Every member of a conversation whose
// members change gets its new state (hub.pushConv).

export function roomCreate(ctx: RelayContext, conn: AuthedConnection, f: Frame<'room.create'>): void {
  if ([...ctx.hub.convs.values()].some((c) => c.rec.kind === 'room' && c.rec.name === f.name)) {
    return conn.error(ErrorCode.roomExists, `#${f.name} exists; join it instead`, f.rid);
  }
  const state = ctx.hub.createConv({ id: newId('r'), kind: 'room', name: f.name, topic: f.topic, members: [conn.user.id] });
  ctx.admin.roomCreated(state.rec.id, conn.user.id);
  ctx.log(`${conn.user.name} created #${f.name}`);
  ctx.hub.pushConv(state, conn.user.id, conn, f.rid);
}

export function roomJoin(ctx: RelayContext, conn: AuthedConnection, f: Frame<'room.join'>): void {
  const state = ctx.hub.convs.get(f.conv);
  if (!state || state.rec.kind !== 'room') return conn.error(ErrorCode.unknownConversation, `no room ${f.conv}`, f.rid);
  if (state.members.has(conn.user.id)) return ctx.hub.pushConv(state, conn.user.id, conn, f.rid, true);
  ctx.hub.addMember(state, conn.user.id, conn, f.rid);
}

export function roomLeave(ctx: RelayContext, conn: AuthedConnection, f: Frame<'room.leave'>): void {
  const state = ctx.hub.memberConv(conn, f.conv, f.rid);
  if (!state) return;
  if (state.rec.kind !== 'room') return conn.error(ErrorCode.badRequest, 'direct messages cannot be left', f.rid);
  const user = conn.user.id;
  ctx.uploads.dropIn(user, f.conv);
  ctx.store.removeMember(f.conv, user);
  for (const c of ctx.hub.connectionsOf(user)) c.send(c === conn ? { t: 'left', rid: f.rid, conv: f.conv } : { t: 'left', conv: f.conv });
  ctx.hub.leftRoom(state, user);
}

export function roomList(ctx: RelayContext, conn: AuthedConnection, f: Frame<'room.list'>): void {
  const user = conn.user.id;
  const rooms = [...ctx.hub.convs.values()]
    .filter((c) => c.rec.kind === 'room')
    .map((c) => ({
      id: c.rec.id,
      name: c.rec.name,
      ...(c.rec.topic !== undefined ? { topic: c.rec.topic } : {}),
      memberCount: c.members.size,
      joined: c.members.has(user),
      ...(c.rec.archived ? { archived: true } : {}),
    }));
  conn.send({ t: 'rooms', rid: f.rid, rooms });
}

export function dmOpen(ctx: RelayContext, conn: AuthedConnection, f: Frame<'dm.open'>): void {
  const me = conn.user.id;
  const other = ctx.hub.users.get(f.user);
  if (!other) return conn.error(ErrorCode.unknownUser, `no member ${f.user}`, f.rid);
  if (ctx.admin.isRemoved(f.user)) return conn.error(ErrorCode.unknownUser, `${other.name} was removed from the team`, f.rid);
  const want = [...new Set([me, f.user])].sort();
  let state = [...ctx.hub.convs.values()].find((c) => c.rec.kind === 'dm' && sameSet(c.members, want));
  if (!state) {
    state = ctx.hub.createConv({ id: newId('d'), kind: 'dm', name: '', members: want });
    for (const m of want) if (m !== me) ctx.hub.pushConv(state, m);
  }
  ctx.hub.pushConv(state, me, conn, f.rid);
}

function sameSet(a: Set<string>, b: string[]): boolean {
  return a.size === b.length && b.every((x) => a.has(x));
}
