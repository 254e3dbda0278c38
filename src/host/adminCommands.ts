import * as vscode from 'vscode';
import type { ParleyClient } from '../client/client';
import { canRemove, canRotate, canSetRole, isAdmin, type TeamRole } from '../protocol/roles';
import type { Member } from '../protocol/wire';
import { Disposable } from './disposable';
import { ask, showInfo } from './messages';
import { pickOne, type Choice } from './picks';
import { plainLabel } from './plainText';
import type { Session } from './session';
import type { Register } from './commandSupport';

// Team administration from VS Code: removing a member, changing roles, rotating the team secret.
// The relay decides (src/protocol/roles.ts, the same rules): what it would refuse is not offered
// here, and whatever it refuses anyway comes back as the error shown. Each act asks first, in a
// modal that names it, also when invoked with arguments (a link or another extension).

/** Registers the administration commands (through commands.ts's `reg`); the returned object is disposed with the extension. */
export function registerAdminCommands(reg: Register, session: Session, copyInvite: () => Promise<unknown>): AdminCommands {
  const admin = new AdminCommands(session, copyInvite);
  reg('parley.removeMember', (user?: string) => admin.remove(typeof user === 'string' ? user : undefined));
  reg('parley.setMemberRole', (user?: string, role?: string) => admin.setRole(typeof user === 'string' ? user : undefined, isRole(role) ? role : undefined));
  reg('parley.rotateSecret', () => admin.rotate());
  reg('parley.manageMember', (user?: string) => admin.manage(typeof user === 'string' ? user : undefined));
  return admin;
}

const ROLE_LABEL: Record<TeamRole, string> = { owner: 'an owner', admin: 'an admin', member: 'a member' };

export class AdminCommands extends Disposable {
  constructor(
    private readonly session: Session,
    private readonly copyInvite: () => Promise<unknown>,
  ) {
    super();
    // A rotation's new secret (sent to admins) is kept, so this window's invites carry it.
    // The palette offers the commands to admins and owners only (context keys parley.teamAdmin, parley.teamOwner).
    const update = () => this.updateContext(session.client);
    this._register(session.onClientEvent('secret', (secret) => void session.rememberSecret(secret)));
    this._register(session.onClientEvent('members', update));
    this._register(session.onClientEvent('ready', update));
    this._register(session.onDidChangeClient(update));
    update();
  }

  private shown: TeamRole | undefined;

  private updateContext(c: ParleyClient | undefined): void {
    const role = c?.self ? c.roleOf(c.self.id) : 'member';
    if (role === this.shown) return;
    this.shown = role;
    void vscode.commands.executeCommand('setContext', 'parley.teamAdmin', isAdmin(role));
    void vscode.commands.executeCommand('setContext', 'parley.teamOwner', role === 'owner');
  }

  private client(): ParleyClient {
    const c = this.session.client;
    if (!c?.self) throw new Error('join or host a team first (Parley: Join Team…)');
    if (c.state !== 'connected') throw new Error('not connected to the relay; team administration needs it');
    return c;
  }

  private me(c: ParleyClient): { id: string; role: TeamRole } {
    const self = c.self;
    if (!self) throw new Error('not signed in to the team yet');
    return { id: self.id, role: c.roleOf(self.id) };
  }

  private member(c: ParleyClient, id: string): Member {
    const m = c.members().find((x) => x.id === id);
    if (!m) throw new Error(`no member ${id} in this team`);
    return m;
  }

  private owners(c: ParleyClient): number {
    return c.members().filter((m) => m.role === 'owner' && !m.removed).length;
  }

  /** Picks a member (other than me, not removed) for whom `allowed` holds. */
  private async pickMember(c: ParleyClient, title: string, allowed: (m: Member) => boolean): Promise<Member | undefined> {
    const rows: Choice<Member>[] = c
      .members()
      .filter((m) => m.id !== c.self?.id && !m.removed && allowed(m))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((m) => ({ label: m.name, description: m.role ?? '', detail: m.presence, value: m }));
    if (rows.length === 0) throw new Error('there is nobody you can do that to');
    return pickOne(rows, { title });
  }

  /** The acts my role allows on one member, as the member list's "Manage…" offers them. */
  async manage(user: string | undefined): Promise<void> {
    const c = this.client();
    const me = this.me(c);
    if (!isAdmin(me.role)) throw new Error('only admins and owners manage members');
    const target = user ? this.member(c, user) : await this.pickMember(c, 'Manage which member?', () => true);
    if (!target) return;
    const who = { id: target.id, role: target.role ?? 'member', ...(target.removed ? { removed: true } : {}) };
    const acts: Choice<() => Promise<void>>[] = [];
    for (const role of ['admin', 'owner', 'member'] as const) {
      if (!canSetRole(me, who, role, this.owners(c)))
        acts.push({
          icon: 'shield',
          label: role === 'member' ? `Make ${target.name} a member again` : `Make ${target.name} ${ROLE_LABEL[role]}`,
          value: () => this.setRole(target.id, role),
        });
    }
    if (!canRemove(me, who, this.owners(c))) acts.push({ icon: 'person', label: `Remove ${target.name} from the team…`, value: () => this.remove(target.id) });
    if (acts.length === 0) throw new Error(`you cannot change anything about ${target.name} (${target.role ?? 'member'})`);
    const act = await pickOne(acts, { title: `Manage ${target.name}` });
    await act?.();
  }

  async remove(user: string | undefined): Promise<void> {
    const c = this.client();
    const me = this.me(c);
    const why = (m: Member) => canRemove(me, { id: m.id, role: m.role ?? 'member', ...(m.removed ? { removed: true } : {}) }, this.owners(c));
    const target = user ? this.member(c, user) : await this.pickMember(c, 'Remove which member from the team?', (m) => why(m) === undefined);
    if (!target) return;
    const refused = why(target);
    if (refused) throw new Error(refused);
    const ok = await ask(
      'warning',
      `Remove ${plainLabel(target.name)} from the team?`,
      {
        modal: true,
        detail: `Their windows disconnect at once and show that you removed them; their devices are refused from then on, and the name ${target.name} stays theirs. Their messages stay, marked as a removed member's. A notice tells the team.\n\nThey still know the team secret: rotate it too (Parley: Rotate Team Secret) so they cannot join again as someone new.`,
      },
      'Remove',
    );
    if (ok !== 'Remove') return;
    await c.removeMember(target.id);
    const next = await showInfo(`Parley: ${target.name} was removed from the team.`, 'Rotate Team Secret…');
    if (next) await this.rotate();
  }

  async setRole(user: string | undefined, role: TeamRole | undefined): Promise<void> {
    const c = this.client();
    const me = this.me(c);
    if (me.role !== 'owner') throw new Error('only owners can change roles');
    const target = user ? this.member(c, user) : await this.pickMember(c, 'Change the role of which member?', () => true);
    if (!target) return;
    const current = target.role ?? 'member';
    const pick =
      role ??
      (await pickOne(
        (['admin', 'owner', 'member'] as const)
          .filter((r) => r !== current)
          .map((r) => ({
            label: `Make ${target.name} ${ROLE_LABEL[r]}`,
            description:
              r === 'admin' ? 'removes members, rotates the secret, manages every room' : r === 'owner' ? 'also makes admins and owners' : 'no administration',
            value: r,
          })),
        { title: `${target.name} is ${ROLE_LABEL[current]}` },
      ));
    if (!pick) return;
    const refused = canSetRole(me, { id: target.id, role: current, ...(target.removed ? { removed: true } : {}) }, pick, this.owners(c));
    if (refused) throw new Error(refused);
    const ok = await ask(
      'info',
      `Make ${plainLabel(target.name)} ${ROLE_LABEL[pick]}?`,
      { modal: true, detail: 'A notice in #general tells the team.' },
      'Change Role',
    );
    if (ok !== 'Change Role') return;
    await c.setRole(target.id, pick);
  }

  async rotate(): Promise<void> {
    const c = this.client();
    const refused = canRotate(this.me(c));
    if (refused) throw new Error(refused);
    const ok = await ask(
      'warning',
      'Rotate the team secret?',
      {
        modal: true,
        detail:
          'The relay makes a new secret. Everyone already in the team stays in (they sign in with their keys); invites made before stop working for anyone new. You get the new invite; a notice tells the team.',
      },
      'Rotate',
    );
    if (ok !== 'Rotate') return;
    const secret = await c.rotateSecret();
    await this.session.rememberSecret(secret);
    const next = await showInfo('Parley: the team secret was rotated. Old invites no longer admit anyone new.', 'Copy New Invite');
    if (next) await this.copyInvite();
  }
}

function isRole(r: unknown): r is TeamRole {
  return r === 'owner' || r === 'admin' || r === 'member';
}
