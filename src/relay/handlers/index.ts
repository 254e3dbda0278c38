import { ErrorCode } from '../../protocol/constants';
import type { HandlerTable } from '../context';
import { memberRemove, memberRole, secretRotate } from './admin';
import { deviceCode, deviceList, deviceRemove } from './devices';
import { chunk, fetch, upload } from './files';
import { inviteMake } from './invites';
import { send } from './messages';
import { prefs, presence, read, typing } from './presence';
import { dmOpen, roomCreate, roomJoin, roomLeave, roomList } from './rooms';
import { search } from './search';
import { history, sync } from './sync';

// Every client frame's handler, by type, for a signed-in connection (a `hello` before that is
// handlers/hello.ts, called by the intake in inbound.ts). The table's type demands one entry per
// frame type of ClientFrame, so a new frame does not compile until it is handled.

export const HANDLERS: HandlerTable = {
  hello: (_ctx, conn) => conn.error(ErrorCode.alreadyHandshaken, 'hello was already accepted on this connection'),
  sync,
  send,
  upload,
  chunk,
  fetch,
  history,
  'room.create': roomCreate,
  'room.join': roomJoin,
  'room.leave': roomLeave,
  'room.list': roomList,
  'dm.open': dmOpen,
  presence,
  typing,
  read,
  search,
  prefs,
  'device.code': deviceCode,
  'invite.make': inviteMake,
  'device.list': deviceList,
  'device.remove': deviceRemove,
  'member.remove': memberRemove,
  'member.role': memberRole,
  'secret.rotate': secretRotate,
};
