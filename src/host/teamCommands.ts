import * as vscode from 'vscode';
import { checkJoin } from '../protocol/joinForm';
import { readConfig, saveConfig } from './config';
import { HostedElsewhere, type HostChoice } from './hosting';
import type { Invites } from './invites';
import { ask, reportingFailure, showInfo } from './messages';
import { askText, pickOne } from './picks';
import type { Session } from './session';
import { describeTeamChange, TEAM_COMMANDS, type TeamCommand, type TeamNow } from './teamChange';
import type { Register } from './commandSupport';

// The commands that join, host, stop hosting or leave a team (TEAM_COMMANDS). Each is registered
// behind one guard: given arguments, it first asks in a modal that names what will happen (see
// teamChange.ts) and does nothing unless the user agrees. Parley's own callers (the join form in
// the chat view, resuming hosting at startup) are the user's doing and go through run() instead.

interface Deps {
  session: Session;
  invites: Invites;
  log: vscode.LogOutputChannel;
  /** Shows the chat after joining. */
  reveal: () => Promise<void>;
}

interface JoinArgs {
  relayUrl?: string;
  name?: string;
  secret?: string;
}

interface HostArgs {
  name?: string;
  share?: boolean;
  secure?: boolean;
  team?: string;
}

interface InviteArgs {
  text?: string;
  name?: string;
}

/** A team command's work. `confirmed`: the user has just agreed to what its arguments ask. */
type Body = (confirmed: boolean, args: never) => Promise<unknown>;

/** Where this window is now, for the questions. */
export function teamNow(session: Session): TeamNow {
  const cfg = readConfig();
  const h = session.hosting.relay;
  const name = session.client?.self?.name ?? (cfg.displayName || undefined);
  const team = h?.opts.discovery?.team || cfg.teamName || undefined;
  return {
    ...(session.client && cfg.relayUrl ? { relayUrl: cfg.relayUrl } : {}),
    ...(team ? { team } : {}),
    ...(name ? { name } : {}),
    ...(h ? { hosting: { online: h.relay.onlineCount(), members: h.relay.memberCount() } } : {}),
  };
}

export class TeamCommands {
  private readonly bodies: Record<TeamCommand, Body>;

  constructor(private readonly deps: Deps) {
    const { session, invites, reveal } = deps;
    this.bodies = {
      'parley.joinTeam': async (_confirmed, args?: JoinArgs) => {
        const cfg = readConfig();
        const title = 'Join a Parley team';
        const relayUrl =
          args?.relayUrl ?? (await askText({ title, prompt: 'Relay address', value: cfg.relayUrl || 'ws://127.0.0.1:7420', ignoreFocusOut: true }));
        if (relayUrl === undefined) return;
        const name = args?.name ?? (await askText({ title, prompt: 'Your display name', value: cfg.displayName, ignoreFocusOut: true }));
        if (name === undefined) return;
        const secret =
          args?.secret ?? (await askText({ title, prompt: 'Team secret (leave empty if the relay has none)', password: true, ignoreFocusOut: true }));
        if (secret === undefined) return;
        const check = checkJoin(relayUrl, name, secret);
        if (!check.ok) throw new Error(check.message);
        await session.join(check.url, check.name, secret || undefined);
        await reveal();
      },
      // Interactive unless told both the name and who may connect.
      'parley.hostTeam': (_confirmed, args?: HostArgs) => this.host(args, args?.name === undefined || args.share === undefined),
      'parley.stopHosting': async () => {
        await session.hosting.stop();
        await saveConfig({ hostOnStartup: false });
      },
      'parley.joinInvite': async (confirmed, args?: InviteArgs) => {
        const text =
          args?.text ?? (await askText({ title: 'Join with an invite', prompt: 'Paste the invite link or the whole invite text', ignoreFocusOut: true }));
        if (!text) return false;
        const joined = await invites.acceptText(text, args?.name, confirmed ? 'confirmed' : 'pasted');
        if (joined) await reveal();
        return joined;
      },
      'parley.signOut': async (confirmed) => {
        if (
          !confirmed &&
          (await ask('warning', 'Sign out of Parley? Unsent messages stay queued for the next sign-in.', { modal: true }, 'Sign Out')) !== 'Sign Out'
        )
          return;
        await session.signOut();
      },
    };
  }

  /** Registers every team command behind the guard. */
  register(reg: Register): void {
    for (const id of TEAM_COMMANDS) {
      reg(id, async (...args: unknown[]) => {
        const q = describeTeamChange(id, args, teamNow(this.deps.session));
        if (q && (await ask('warning', q.text, { modal: true, detail: q.detail }, q.button)) !== q.button) return undefined;
        return this.bodies[id](q !== undefined, args[0] as never);
      });
    }
  }

  /** Runs a team command as the user's own request, without the guard's question; a failure is shown as a command's is. */
  run(id: TeamCommand, args?: JoinArgs | HostArgs | InviteArgs): Promise<unknown> {
    return reportingFailure(this.deps.log, id, () => this.bodies[id](false, args as never));
  }

  /** Resumes hosting with the saved choices, asking nothing (Parley: Reconnect while signed out). */
  resumeHosting(): Promise<void> {
    return this.host(undefined, false);
  }

  /** Starts hosting (asking how unless told) and joins this window to it. */
  private async host(args: HostArgs | undefined, interactive: boolean): Promise<void> {
    const { session, invites } = this.deps;
    const cfg = readConfig();
    const title = 'Host a Parley team';
    const name = args?.name || cfg.displayName || (interactive ? await askText({ title, prompt: 'Your display name', ignoreFocusOut: true }) : undefined);
    if (!name) return;
    const check = checkJoin('ws://127.0.0.1', name, '');
    if (!check.ok) throw new Error(check.message);
    let share = args?.share ?? cfg.hostShare;
    // TLS whenever shared, unless chosen otherwise; loopback needs none.
    let secure = args?.secure ?? (share ? cfg.hostSecure : false);
    if (interactive && args?.share === undefined) {
      const pick = await askWhoConnects(title);
      if (!pick) return;
      ({ share, secure } = pick);
    }
    const choice: HostChoice = {
      port: cfg.hostPort,
      share,
      address: cfg.hostAddress,
      secure,
      team: args?.team || cfg.teamName || `${check.name}'s team`,
      discovery: { enabled: cfg.discovery.enabled, interface: cfg.discovery.interface },
    };
    let local;
    try {
      local = await session.hosting.start(choice, interactive);
    } catch (err) {
      if (!(err instanceof HostedElsewhere)) throw err;
      await session.join(err.local.url, check.name, err.local.secret, err.local.fingerprint, { ownRelay: true });
      void showInfo(`Parley: ${err.message}; this window joined it.`);
      return;
    }
    await saveConfig({ hostOnStartup: true, hostShare: share, hostSecure: secure });
    await session.join(local.url, check.name, local.secret, local.fingerprint, { ownRelay: true });
    const relay = session.hosting.relay;
    const where = relay
      ? relay
          .addresses()
          .map((a) => relay.url(a))
          .join(', ')
      : local.url;
    if (interactive) {
      const copy = 'Copy Invite';
      void showInfo(`Parley: hosting on ${where}${share ? '' : ' (this machine only)'}.`, copy).then((p) => (p === copy ? invites.copy() : undefined));
    }
  }
}

/** Who may connect to a relay hosted here: this machine only, the network over TLS, or the network in plain text. */
function askWhoConnects(title: string): Promise<{ share: boolean; secure: boolean } | undefined> {
  return pickOne(
    [
      {
        icon: 'lock',
        label: 'This machine only',
        description: 'loopback; other windows of yours join with the kept team secret',
        value: { share: false, secure: false },
      },
      {
        icon: 'shield',
        label: 'Share on this network',
        description: 'encrypted (TLS, a self-signed certificate that invites pin); teammates join with an invite',
        value: { share: true, secure: true },
      },
      {
        icon: 'warning',
        label: 'Share on this network without encryption',
        description: 'plain ws://: the secret and every message cross the network readable',
        value: { share: true, secure: false },
      },
    ],
    { title, placeHolder: 'Who should be able to connect?' },
  );
}
