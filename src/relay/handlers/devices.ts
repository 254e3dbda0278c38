import { CloseCode, ErrorCode } from '../../protocol/constants';
import type { AuthedConnection } from '../connection';
import type { Frame, RelayContext } from '../context';
import { encode } from '../events';

// A member's devices (docs/PROTOCOL.md, "Devices"): the one-time code that adds one, the list,
// and removing one (its connections close at once; it signs in no more).

/** A member's devices, to all their connections (after one was added or removed), or to one request. */
export function pushDevices(ctx: RelayContext, user: string, to?: AuthedConnection, rid?: string): void {
  const json = encode({ t: 'devices', ...(rid !== undefined ? { rid } : {}), devices: ctx.members.deviceList(user) });
  if (to) to.push(json);
  else ctx.hub.toUser(user, json);
}

export function deviceCode(ctx: RelayContext, conn: AuthedConnection, f: Frame<'device.code'>): void {
  const { code, expires } = ctx.members.codes.issue(conn.user.id);
  ctx.log(`${conn.user.name} made a device code`);
  conn.send({ t: 'device.code', rid: f.rid, code, expires });
}

export function deviceList(ctx: RelayContext, conn: AuthedConnection, f: Frame<'device.list'>): void {
  pushDevices(ctx, conn.user.id, conn, f.rid);
}

export function deviceRemove(ctx: RelayContext, conn: AuthedConnection, f: Frame<'device.remove'>): void {
  const user = conn.user;
  const mine = ctx.members.devicesOf(user.id);
  const device = mine.find((d) => d.id === f.device);
  if (!device) return conn.error(ErrorCode.unknownDevice, `you have no device ${f.device}`, f.rid);
  if (!mine.some((d) => d.id !== device.id)) return conn.error(ErrorCode.badRequest, 'that is your only device: without it nobody could sign in as you', f.rid);
  ctx.store.removeDevice(device.id);
  ctx.members.byDevice.delete(device.key);
  ctx.log(`${user.name} removed their device ${device.id} (${device.label})`);
  const from = mine.find((d) => d.id === conn.device)?.label;
  const by = conn.device === device.id ? 'on this device' : `on ${from ?? 'another device'}`;
  for (const c of [...ctx.hub.connectionsOf(user.id)]) {
    if (c.device === device.id)
      c.fail(
        ErrorCode.deviceRemoved,
        `this device (${device.label}) was removed by ${user.name} ${by}; it no longer signs in as ${user.name}`,
        CloseCode.deviceRemoved,
      );
  }
  pushDevices(ctx, user.id, conn.closed ? undefined : conn, f.rid);
  for (const c of ctx.hub.connectionsOf(user.id)) if (c !== conn && !c.closed && c.device !== device.id) pushDevices(ctx, user.id, c);
}
