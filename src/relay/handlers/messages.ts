import { createHash } from 'node:crypto';
import { ErrorCode } from '../../protocol/constants';
import type { AuthedConnection } from '../connection';
import type { Frame, RelayContext } from '../context';
import { sendRefusal } from '../rules';

// `send`: a message, an edit, a deletion, a reaction, a pin, a topic or an archive notice. What
// can be decided before it is stored is decided here (membership, the room's state, who may
// manage it, sizes); what depends on its target is decided in the store's transaction (rules.ts).
// Then it waits for the tick's group commit, which acks it.

export function send(ctx: RelayContext, conn: AuthedConnection, f: Frame<'send'>): void {
  const state = ctx.hub.memberConv(conn, f.conv, f.id);
  if (!state) return;
  const body = f.body;
  const refused = sendRefusal({
    actor: { id: conn.user.id, role: ctx.admin.roleOf(conn.user.id) },
    room: { ...ctx.admin.roomFacts(state), ...(state.rec.archived ? { archived: true } : {}) },
    body,
    // (A resend of a message stored before the room was archived still gets its ack.)
    stored: () => ctx.store.findByClientId(conn.user.id, f.id) !== undefined,
  });
  if (refused) return conn.error(refused.code, refused.message, f.id);
  if ((body.kind === 'text' || body.kind === 'edit') && body.text.length > ctx.limits.maxTextChars) {
    return conn.error(ErrorCode.tooLarge, `text longer than ${ctx.limits.maxTextChars} characters`, f.id);
  }
  if (body.kind === 'snippet' && body.code.length > ctx.limits.maxSnippetChars) {
    return conn.error(ErrorCode.tooLarge, `snippet longer than ${ctx.limits.maxSnippetChars} characters`, f.id);
  }
  // A snippet's hash is what receivers are told the code is: it must be the code's.
  if (body.kind === 'snippet' && createHash('sha256').update(body.code).digest('hex') !== body.hash) {
    return conn.error(ErrorCode.hashMismatch, "the snippet's hash is not the sha256 of its code", f.id);
  }
  ctx.commits.enqueue({ conv: f.conv, author: conn.user.id, id: f.id, ts: Date.now(), body }, conn);
}
