import { ErrorCode } from '../../protocol/constants';
import { nameProblem } from '../../protocol/names';
import { UserName } from '../../protocol/wire';
import type { AuthedConnection } from '../connection';
import type { Frame, RelayContext } from '../context';

/** `invite.make`: an invite for one name, reserved until the invitee joins with it (once, seven days). */
export function inviteMake(ctx: RelayContext, conn: AuthedConnection, f: Frame<'invite.make'>): void {
  const name = f.name.normalize('NFC').trim();
  const problem = nameProblem(name) ?? (UserName.safeParse(name).success ? undefined : 'letters, digits, . _ - and starting with a letter or digit');
  if (problem) return conn.error(ErrorCode.badName, `bad name: ${problem}`, f.rid);
  const holder = ctx.members.names.clash(name);
  if (holder) return conn.error(ErrorCode.nameTaken, `${holder.message}: invite them under another name`, f.rid);
  const { token, expires } = ctx.members.invites.make(conn.user.id, name);
  ctx.log(`${conn.user.name} invited ${name}`);
  conn.send({ t: 'invite', rid: f.rid, token, name, expires });
}
