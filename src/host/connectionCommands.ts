import * as vscode from 'vscode';
import { formatFingerprint } from '../infra/fingerprint';
import type { Register } from './commandSupport';
import type { Invites } from './invites';
import { pickOne, type Choice } from './picks';
import type { Session } from './session';
import type { TeamCommands } from './teamCommands';

/** The connection and hosting: invites, what this window hosts, reconnecting, the log. */
export function registerConnectionCommands(
  reg: Register,
  deps: { session: Session; invites: Invites; team: Pick<TeamCommands, 'resumeHosting'>; log: vscode.LogOutputChannel },
): void {
  const { session, invites, team, log } = deps;
  reg('parley.copyInvite', () => invites.copy());
  reg('parley.inviteByName', () => invites.copyFor());
  reg('parley.hostingStatus', () => hostingStatus(session, invites));
  reg('parley.reconnect', () => {
    const c = session.client;
    if (c) c.reconnect();
    else return session.restore(() => team.resumeHosting());
    return undefined;
  });
  reg('parley.showLog', () => log.show());
}

/** The hosted relay at a glance (addresses, members, certificate), with its two acts. */
async function hostingStatus(session: Session, invites: Invites): Promise<void> {
  const h = session.hosting.relay;
  if (!h) throw new Error('this window does not host a relay (Parley: Host Team Relay)');
  const items: Choice<(() => unknown) | undefined>[] = [
    ...h
      .addresses()
      .map((a) => ({ icon: 'globe', label: h.url(a), description: h.shared ? 'reachable on the network' : 'this machine only', value: undefined })),
    {
      icon: 'person',
      label: `${h.relay.onlineCount()} online of ${h.relay.memberCount()} members`,
      description: h.announcing ? 'announced on the network' : 'not announced',
      value: undefined,
    },
    ...(h.fingerprint ? [{ icon: 'shield', label: formatFingerprint(h.fingerprint), description: 'certificate SHA-256', value: undefined }] : []),
    { icon: 'link', label: 'Copy Invite', value: () => invites.copy() },
    { icon: 'debug-stop', label: 'Stop Hosting', value: () => vscode.commands.executeCommand('parley.stopHosting') },
  ];
  const run = await pickOne(items, { title: 'Parley: hosting' });
  await run?.();
}
