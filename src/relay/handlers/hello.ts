import { CloseCode, ErrorCode, PROTOCOL_VERSION } from '../../protocol/constants';
import { helloPayload } from '../../protocol/handshake';
import { nameKey, nameProblem } from '../../protocol/names';
import { SEND_KINDS, UserName } from '../../protocol/wire';
import { keyHash } from '../auth';
import type { Connection } from '../connection';
import { encode, type EventJson } from '../events';
import type { Frame, RelayContext } from '../context';
import { newId } from '../ids';
import { TokenBucket } from '../rateLimiter';
import type { DeviceRecord, UserRecord } from '../store';
import { RELAY_VERSION } from '../version';
import { pushDevices } from './devices';
import { verifySignature } from '../../infra/identity';

// Signing in (docs/PROTOCOL.md, "Signing in"). The hello must be signed by its key over this
// connection's nonce and this relay's address (or certificate). Then the key is one of a
// member's devices; or a protocol-1 key binds it to its member once; or a device code adds it to
// the member it names; or it makes a new member, which alone needs the team secret (or a named
// invite). Every refusal closes this connection only, with its own code.

/** Connections one member may have open at once (several windows on several machines). */
const MAX_CONNECTIONS_PER_MEMBER = 8;
/** A device's last sign-in is written at most this often (a reconnect storm is not a write storm). */
const DEVICE_SEEN_EVERY_MS = 3_600_000;
/** Longest hello name the name rules look at; a longer one is refused at once (`bad_name`). */
const HELLO_NAME_MAX = 256;

/** Who a hello signs in as, once its key was looked up. */
interface Found {
  user: UserRecord | undefined;
  device: DeviceRecord | undefined;
  /** The key becomes a new device of `user` (or of the new member). */
  added: boolean;
  /** The protocol-1 member whose old key this device key replaces (retired with the device's write). */
  retiring?: UserRecord;
}

export function hello(ctx: RelayContext, conn: Connection, f: Frame<'hello'>): void {
  const name = checkedName(ctx, conn, f);
  if (name === undefined) return;
  const found = findMember(ctx, conn, f, name);
  if (!found) return;
  if (!found.user && !mayJoin(ctx, conn, f, name)) return;
  const existing = found.user;
  if (existing && ctx.admin.isRemoved(existing.id)) return refuseRemoved(ctx, conn, existing.id);
  const maxConns = ctx.opts.maxConnectionsPerMember ?? MAX_CONNECTIONS_PER_MEMBER;
  if (existing && ctx.hub.connectionsOf(existing.id).size >= maxConns) {
    return conn.fail(ErrorCode.tooManyConnections, `${existing.name} already has ${maxConns} connections open; close one`, CloseCode.tooManyConnections);
  }
  let user = existing;
  let created: UserRecord | undefined;
  let renamed = false;
  if (!user) {
    ctx.newMembers.madeFrom(conn.remote);
    const id = newId('u');
    user = created = { id, name, norm: nameKey(name), keyHash: `none:${id}`, created: Date.now() };
    found.added = true;
  } else if (user.name !== name) {
    if (!rename(ctx, conn, user, name)) return;
    renamed = true;
  }
  const device = recordDevice(ctx, f, user, found, created);
  enter(ctx, conn, user, device.id, created !== undefined, renamed);
}

/** The hello's relay, signature and name check out: the name as the relay keeps it, or undefined (refused). */
function checkedName(ctx: RelayContext, conn: Connection, f: Frame<'hello'>): string | undefined {
  const wrongRelay = ctx.addressCheck.problem(f.relay, f.fingerprint);
  if (wrongRelay) {
    ctx.log(`refused a hello from ${conn.remote}: ${wrongRelay}`);
    conn.fail(ErrorCode.wrongRelay, wrongRelay, CloseCode.badSignature);
    return undefined;
  }
  const nonce = conn.nonce;
  conn.nonce = undefined;
  const payload = helloPayload({
    v: f.v,
    nonce: nonce ?? '',
    relay: f.relay,
    fingerprint: f.fingerprint,
    name: f.name,
    key: f.key,
    code: f.code,
    legacy: f.legacy,
  });
  if (nonce === undefined || !verifySignature(f.key, payload, f.sig)) {
    conn.fail(
      ErrorCode.badSignature,
      "the hello's signature does not match its key and this connection's challenge (a hello made for another connection cannot be replayed)",
      CloseCode.badSignature,
    );
    return undefined;
  }
  // The hello schema leaves the name's length to the name rules; refuse a long one before NFC and
  // the confusable keys, which would take seconds over a name the size of a frame. (Up to 256 the
  // rules below answer as they always did: UserName allows 32, spaces around it are trimmed.)
  if (f.name.length > HELLO_NAME_MAX) {
    conn.fail(ErrorCode.badName, `bad name: a name is at most 32 characters; this one has ${f.name.length}`, CloseCode.badName);
    return undefined;
  }
  const name = f.name.normalize('NFC').trim();
  // A member keeps the name they have, even one these rules came too late for.
  const problem = ctx.members.names.member(name)?.name === name ? undefined : nameProblem(f.name);
  if (problem) {
    conn.fail(ErrorCode.badName, `bad name: ${problem}`, CloseCode.badName);
    return undefined;
  }
  const valid = UserName.safeParse(name);
  if (!valid.success) {
    conn.fail(ErrorCode.badName, `bad name: ${valid.error.issues[0]?.message ?? 'invalid'}`, CloseCode.badName);
    return undefined;
  }
  return name;
}

/** The member the hello's key (or its protocol-1 key, or its device code) signs in as; undefined when refused. */
function findMember(ctx: RelayContext, conn: Connection, f: Frame<'hello'>, name: string): Found | undefined {
  const device = ctx.members.byDevice.get(f.key);
  const found: Found = { user: device ? ctx.hub.users.get(device.user) : undefined, device, added: false };
  if (!found.user && f.legacy !== undefined) {
    const hash = keyHash(f.legacy);
    if (ctx.members.byKey.has(`retired:${hash}`)) {
      conn.fail(
        ErrorCode.retiredKey,
        'this machine\'s old identity key was already exchanged for a device key, so it signs in no more; add this machine as a device: on one where you are signed in, run "Parley: Add a Device…" and use its code here',
        CloseCode.badSignature,
      );
      return undefined;
    }
    const user = ctx.members.byKey.get(hash);
    if (user) Object.assign(found, { user, retiring: user, added: true });
  }
  if (!found.user && f.code !== undefined) {
    const owner = ctx.members.names.member(name);
    if (!owner) {
      conn.fail(ErrorCode.badCode, `there is no member called ${name} to add this device to`, CloseCode.badCode);
      return undefined;
    }
    const result = ctx.members.codes.redeem(owner.id, f.code);
    if (result !== 'ok') {
      ctx.log(`refused a device code for ${owner.name} from ${conn.remote} (${result})`);
      const message =
        result === 'locked'
          ? `too many wrong device codes for ${owner.name}; their codes are void for ten minutes, then make a new one`
          : 'that device code is wrong, used or expired; make a new one on a device where you are signed in';
      conn.fail(ErrorCode.badCode, message, CloseCode.badCode);
      return undefined;
    }
    Object.assign(found, { user: owner, added: true });
  }
  return found;
}

/** Whether a new member may be made under `name` on this connection (if not, it was refused). */
function mayJoin(ctx: RelayContext, conn: Connection, f: Frame<'hello'>, name: string): boolean {
  const holder = ctx.members.names.clash(name);
  if (holder) {
    conn.fail(
      ErrorCode.nameTaken,
      `${holder.message}. If it is yours, add this machine as a device: on a machine where you are signed in, run "Parley: Add a Device…" and enter its code here`,
      CloseCode.nameTaken,
    );
    return false;
  }
  if (f.invite !== undefined) {
    // A named invite stands in for the team secret (a member vouched for this name).
    if (ctx.newMembers.limited(conn.remote)) {
      conn.fail(ErrorCode.rateLimited, 'too many new members from this address in the last hour; try again later', CloseCode.rateLimited);
      return false;
    }
    const used = ctx.members.invites.redeem(f.invite, name);
    if (!used.ok) {
      ctx.newMembers.wrongGuess(conn.remote);
      conn.fail(ErrorCode.badInvite, used.message, CloseCode.badCode);
      return false;
    }
    ctx.log(`${name} joins with an invite from ${ctx.hub.users.get(used.invite.maker)?.name ?? used.invite.maker}`);
    return true;
  }
  const invited = ctx.members.invites.reservedFor(name);
  if (invited) {
    conn.fail(ErrorCode.nameTaken, ctx.members.reservedMessage(name, invited.name, invited.maker), CloseCode.nameTaken);
    return false;
  }
  const refusal = ctx.newMembers.refusal(conn);
  if (refusal) {
    conn.fail(refusal.code, refusal.message, refusal.close);
    return false;
  }
  return true;
}

/** A member signs in under a new name: false (and refused) when it is someone else's or reserved. */
function rename(ctx: RelayContext, conn: Connection, user: UserRecord, name: string): boolean {
  const holder = ctx.members.names.clash(name, user);
  if (holder) {
    conn.fail(ErrorCode.nameTaken, `${holder.message}; you are still ${user.name}`, CloseCode.nameTaken);
    return false;
  }
  const invited = ctx.members.invites.reservedFor(name);
  if (invited) {
    conn.fail(ErrorCode.nameTaken, `${ctx.members.reservedMessage(name, invited.name, invited.maker)}; you are still ${user.name}`, CloseCode.nameTaken);
    return false;
  }
  ctx.members.names.rename(user, name);
  ctx.log(`member ${user.id} is now called ${name}`);
  return true;
}

/** Stores the device the hello signed with when it is new (with a new member, a retired key), else when it was last seen. */
function recordDevice(ctx: RelayContext, f: Frame<'hello'>, user: UserRecord, found: Found, created: UserRecord | undefined): DeviceRecord {
  const { retiring } = found;
  if (!found.added && found.device) {
    const device = found.device;
    if (Date.now() - (device.seen ?? 0) > DEVICE_SEEN_EVERY_MS) {
      device.seen = Date.now();
      ctx.store.deviceSeen(device.id, device.seen);
    }
    return device;
  }
  const label = ctx.members.freeLabel(user.id, deviceLabel(f.device ?? f.client));
  const device: DeviceRecord = { id: newId('v'), user: user.id, key: f.key, label, added: Date.now(), seen: Date.now() };
  // One transaction: a crash can never leave a member without the device that signs them in
  // (a made member whose name is then taken, an old key retired with nothing in its place).
  ctx.store.addDevice(device, { ...(created ? { user: created } : {}), ...(retiring ? { retireLegacyOf: retiring.id } : {}) });
  ctx.members.byDevice.set(device.key, device);
  if (created) {
    ctx.members.indexUser(created);
    ctx.log(`new member ${user.name} (${created.id})`);
  }
  if (retiring) {
    ctx.members.retireLegacy(retiring);
    ctx.log(`member ${retiring.name} (${retiring.id}) exchanged their old key for a device key`);
  }
  if (!created) pushDevices(ctx, user.id);
  return device;
}

/** The connection is `user`'s from now on: registered, welcomed, and its member's presence announced. */
function enter(ctx: RelayContext, conn: Connection, user: UserRecord, device: string, isNew: boolean, renamed: boolean): void {
  if (isNew) {
    // Joined before this connection is registered: the welcome below already lists the room.
    const general = ctx.hub.general();
    if (general) ctx.hub.addMember(general, user.id);
    ctx.admin.resolveOwner([user]);
  }
  const was = ctx.hub.presenceOf(user.id);
  const authed = conn.signedIn(user, device);
  conn.leaveGate();
  // The frame rate is the member's, however many connections they open.
  let bucket = ctx.buckets.get(user.id);
  if (!bucket) ctx.buckets.set(user.id, (bucket = new TokenBucket(ctx.limits.ratePerSecond, ctx.limits.rateBurst)));
  conn.bucket = bucket;
  ctx.hub.signedIn(authed);
  const reads = ctx.store.reads(user.id);
  conn.send({
    t: 'welcome',
    v: PROTOCOL_VERSION,
    session: conn.session,
    epoch: ctx.store.epoch,
    you: { id: user.id, name: user.name },
    members: [...ctx.hub.users.values()].map((u) => ctx.hub.memberView(u)),
    conversations: ctx.hub.convsOf(user.id).map((c) => ctx.hub.convView(c, reads.get(c.rec.id) ?? 0, user.id)),
    limits: ctx.limits,
    relay: RELAY_VERSION,
    kinds: [...SEND_KINDS],
    device,
  });
  if (isNew || renamed) ctx.hub.toSignedIn(encodeMember(ctx, user), { exceptUser: user.id });
  if (!isNew) ctx.hub.presenceChanged(user.id, was);
  else ctx.opts.onPresence?.();
}

function encodeMember(ctx: RelayContext, user: UserRecord): EventJson {
  return encode({ t: 'member', member: ctx.hub.memberView(user) });
}

/** A removed member's hello: refused, with who removed them and when. */
function refuseRemoved(ctx: RelayContext, conn: Connection, user: string): void {
  const r = ctx.admin.removal(user);
  const by = (r && ctx.hub.users.get(r.by)?.name) ?? 'an admin';
  const when = r ? ` on ${new Date(r.ts).toISOString().slice(0, 10)}` : '';
  ctx.log(`refused ${ctx.hub.users.get(user)?.name ?? user} from ${conn.remote}: removed from the team`);
  conn.fail(ErrorCode.removed, `${by} removed you from this team${when}; ask an admin if that was a mistake`, CloseCode.removed);
}

/** A device's name as its client gave it: one line of printable text, 64 characters at most. */
function deviceLabel(raw: string | undefined): string {
  const text = (raw ?? '')
    .replace(/[\p{C}\p{Zl}\p{Zp}]/gu, '')
    .trim()
    .slice(0, 64);
  return text || 'unnamed device';
}
