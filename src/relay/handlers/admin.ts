import { randomBytes } from 'node:crypto';
import { CloseCode, ErrorCode } from '../../protocol/constants';
import { canRemove, canRotate, canSetRole } from '../../protocol/roles';
import type { TeamRole } from '../../protocol/wire';
import type { AuthedConnection } from '../connection';
import type { Frame, RelayContext } from '../context';
import { encode } from '../events';
import type { RemovedRecord } from '../store';

// Team administration's acts (docs/PROTOCOL.md, "Roles"): removing a member, giving or taking a
// role, rotating the team secret. Who may is decided in protocol/roles.ts; the state is kept by
// admin.ts and teamSecret.ts. Each act leaves a notice in the sequence so every member sees it.

/** What the role rules know about a member. */
function roleView(ctx: RelayContext, id: string): { id: string; role: TeamRole; removed: boolean } {
  return { id, role: ctx.admin.roleOf(id), removed: ctx.admin.isRemoved(id) };
}

/** `member.remove`: the member's connections close at once, they leave every room, their key is refused from then on. */
export function memberRemove(ctx: RelayContext, conn: AuthedConnection, f: Frame<'member.remove'>): void {
  const actor = conn.user;
  const target = ctx.hub.users.get(f.user);
  if (!target) return conn.error(ErrorCode.unknownUser, `no member ${f.user}`, f.rid);
  const why = canRemove({ id: actor.id, role: ctx.admin.roleOf(actor.id) }, roleView(ctx, target.id), ctx.admin.owners());
  if (why) return conn.error(ErrorCode.forbidden, why, f.rid);
  const convs = ctx.hub.convsOf(target.id);
  const rooms = convs.filter((c) => c.rec.kind === 'room');
  const record: RemovedRecord = { user: target.id, by: actor.id, ts: Date.now() };
  ctx.admin.markRemoved(
    record,
    rooms.map((c) => c.rec.id),
  );
  // Out at once, every device, with the reason their window shows.
  const message = `${actor.name} removed you from the team`;
  for (const c of [...ctx.hub.connectionsOf(target.id)]) {
    c.error(ErrorCode.removed, message);
    c.close(CloseCode.removed, `removed from the team by ${actor.name}`);
  }
  // The notice goes in every conversation they were in (their messages stay there, marked).
  for (const c of convs) ctx.commits.notice(conn, c.rec.id, { kind: 'admin', act: 'remove', user: target.id });
  for (const c of rooms) ctx.hub.leftRoom(c, target.id);
  // Names they kept for someone with a named invite are free again; nobody joins on their word.
  const voided = ctx.members.invites.revoke(target.id);
  if (voided) ctx.log(`voided ${voided} named invite(s) ${target.name} had made`);
  ctx.hub.announceMember(target.id, conn, f.rid);
  ctx.log(`${actor.name} removed ${target.name} (${target.id}) from the team`);
}

/** `member.role`: owners make admins and owners and take those roles back. */
export function memberRole(ctx: RelayContext, conn: AuthedConnection, f: Frame<'member.role'>): void {
  const actor = conn.user;
  const target = ctx.hub.users.get(f.user);
  if (!target) return conn.error(ErrorCode.unknownUser, `no member ${f.user}`, f.rid);
  const why = canSetRole({ id: actor.id, role: ctx.admin.roleOf(actor.id) }, roleView(ctx, target.id), f.role, ctx.admin.owners());
  if (why) return conn.error(ErrorCode.forbidden, why, f.rid);
  ctx.admin.setRole(target.id, f.role);
  const general = ctx.hub.general();
  if (general) ctx.commits.notice(conn, general.rec.id, { kind: 'admin', act: 'role', user: target.id, role: f.role });
  ctx.hub.announceMember(target.id, conn, f.rid);
  ctx.log(`${actor.name} made ${target.name} ${f.role === 'member' ? 'a member' : `an ${f.role}`}`);
}

/**
 * `secret.rotate`: a new secret the relay makes replaces the old one, which no new member can
 * use from then on (members already in sign in with their keys). The new one goes to the admin
 * who asked, to the admins online and to `onSecret`; the store keeps only its hash.
 */
export function secretRotate(ctx: RelayContext, conn: AuthedConnection, f: Frame<'secret.rotate'>): void {
  const actor = conn.user;
  const why = canRotate({ role: ctx.admin.roleOf(actor.id) });
  if (why) return conn.error(ErrorCode.forbidden, why, f.rid);
  const secret = randomBytes(18).toString('base64url');
  ctx.secret.setSecret(secret);
  // A rotation ends every way in that was handed out before it, named invites included.
  const voided = ctx.members.invites.revoke();
  if (voided) ctx.log(`the rotation voided ${voided} waiting named invite(s)`);
  const general = ctx.hub.general();
  if (general) ctx.commits.notice(conn, general.rec.id, { kind: 'admin', act: 'rotate' });
  const event = encode({ t: 'secret', secret });
  for (const [id, role] of ctx.admin.roleHolders()) {
    if (role !== 'owner' && role !== 'admin') continue;
    for (const c of ctx.hub.connectionsOf(id)) {
      if (c === conn) c.send({ t: 'secret', rid: f.rid, secret });
      else c.push(event);
    }
  }
  ctx.log(`${actor.name} rotated the team secret`);
  try {
    ctx.opts.onSecret?.(secret);
  } catch (err) {
    ctx.log(`passing on the new team secret failed: ${(err as Error).message}`);
  }
}
