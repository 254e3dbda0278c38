import type { AuthedConnection } from '../connection';
import type { Frame, RelayContext } from '../context';
import { encode } from '../events';

// What is not stored in the sequence: presence and typing (best effort, dropped under load),
// read markers (echoed to the member's other connections, and "seen by" for small
// conversations) and the member's choice to share them.

export function presence(ctx: RelayContext, conn: AuthedConnection, f: Frame<'presence'>): void {
  const was = ctx.hub.presenceOf(conn.user.id);
  conn.presence = f.state;
  ctx.hub.presenceChanged(conn.user.id, was);
}

export function typing(ctx: RelayContext, conn: AuthedConnection, f: Frame<'typing'>): void {
  const state = ctx.hub.convs.get(f.conv);
  if (!state || !state.members.has(conn.user.id)) return; // typing is best effort: dropped silently
  ctx.hub.typing(state, conn.user.id);
}

export function read(ctx: RelayContext, conn: AuthedConnection, f: Frame<'read'>): void {
  const state = ctx.hub.memberConv(conn, f.conv);
  if (!state) return;
  const user = conn.user;
  const seq = Math.min(f.seq, state.rec.head);
  const moved = ctx.store.setRead(user.id, f.conv, seq);
  ctx.hub.toUser(user.id, encode({ t: 'read', conv: f.conv, seq }), conn);
  if (moved && user.shareRead !== false) ctx.hub.announceSeen(state, user.id, seq);
}

export function prefs(ctx: RelayContext, conn: AuthedConnection, f: Frame<'prefs'>): void {
  const user = conn.user;
  if ((user.shareRead !== false) === f.shareRead) return;
  ctx.store.setShareRead(user.id, f.shareRead);
  user.shareRead = f.shareRead;
  // Others now see this member's markers, or no longer do.
  for (const state of ctx.hub.convsOf(user.id)) ctx.hub.announceSeen(state, user.id, f.shareRead ? (ctx.store.convSeen(state.rec.id).get(user.id) ?? 0) : 0);
}
