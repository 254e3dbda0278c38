import { formatFingerprint } from '../infra/fingerprint';
import { parseInvite, type Invite } from '../infra/invite';
import { isLoopback } from '../relay/auth';
import { plainLabel } from './plainText';

// Commands that change which team this window is in, or whether it hosts one. From the command
// palette or a menu they ask for what they need step by step, so the user sees what will happen.
// Called with arguments (a link, another extension, a keybinding's `args`) they would act at
// once; then they first ask, in a modal that names what will happen. teamCommands.ts registers
// each of these through that guard. No vscode here, so the texts are unit-tested.

/** Every command that joins, hosts, stops hosting or leaves a team. */
export const TEAM_COMMANDS = ['parley.joinTeam', 'parley.hostTeam', 'parley.stopHosting', 'parley.joinInvite', 'parley.signOut'] as const;
export type TeamCommand = (typeof TEAM_COMMANDS)[number];

/** The team this window is in now, to say what a change leaves. */
export interface TeamNow {
  /** Set while signed in. */
  relayUrl?: string;
  team?: string;
  name?: string;
  /** Set while this window hosts the relay. */
  hosting?: { online: number; members: number };
}

/** A modal question: `text`, `detail` under it, and the one button that goes ahead. */
export interface Confirmation {
  text: string;
  detail: string;
  button: string;
}

/**
 * Whether a command was given arguments. VS Code's own menus (a view's title bar) run commands
 * with `undefined` as the argument, so only a defined one counts.
 */
export function invokedWithArguments(args: readonly unknown[]): boolean {
  return args.some((a) => a !== undefined);
}

const ASKED = 'A link, another extension or a keybinding asked Parley to do this; nothing happens unless you agree.';

/** A string argument as dialog text: one plain line, shortened; undefined when not a non-empty string. */
function shown(v: unknown, max = 120): string | undefined {
  if (typeof v !== 'string' || !v.trim()) return undefined;
  const line = plainLabel(v.trim());
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function field(args: readonly unknown[], key: string): unknown {
  const a = args[0];
  return a && typeof a === 'object' ? (a as Record<string, unknown>)[key] : undefined;
}

/** "the team "Core" (ws://…)", or "the team at ws://…". */
function teamName(now: TeamNow): string {
  const url = shown(now.relayUrl) ?? 'the relay';
  const team = shown(now.team);
  return team ? `the team "${team}" (${url})` : `the team at ${url}`;
}

/** What joining elsewhere leaves, when this window is in a team. */
function leaving(now: TeamNow): string | undefined {
  if (!now.relayUrl) return undefined;
  const name = shown(now.name);
  return `This leaves ${teamName(now)}${name ? `, where you are "${name}"` : ''}.`;
}

const detail = (...lines: (string | undefined | false)[]): string => lines.filter((l): l is string => !!l).join('\n');

/**
 * The question before joining by invite (a link, pasted text, or parley.joinInvite's arguments).
 * `asked`: it came from arguments rather than from the user's own paste.
 */
export function describeInvite(inv: Invite, now: TeamNow, opts: { asked: boolean; name?: string; pinned?: string }): Confirmation {
  const team = shown(inv.team);
  const name = shown(inv.invitee ?? opts.name);
  const plainBeyondLoopback = inv.relayUrl.startsWith('ws://') && !isLoopback(new URL(inv.relayUrl).hostname.replace(/^\[|\]$/g, ''));
  return {
    text: `Join ${team ? `the team "${team}"` : 'this Parley team'}?`,
    detail: detail(
      `Relay: ${shown(inv.relayUrl, 200)}`,
      inv.token ? 'A named invite: it works once, for the name below, instead of the team secret' : inv.secret ? 'Team secret: included' : 'No team secret',
      inv.fingerprint && `Certificate: ${formatFingerprint(inv.fingerprint)}`,
      inv.fingerprint &&
        (opts.pinned === inv.fingerprint
          ? 'This window already trusts this certificate for this address.'
          : 'This relay is new to this window: compare the certificate with the one the host tells you another way (in person, by phone) before joining.'),
      plainBeyondLoopback && 'Not encrypted (ws://): the team secret and every message cross the network readable.',
      name && `Your name there: "${name}"`,
      '',
      leaving(now),
      'An invite does not prove who made it: anyone can write one that points at a relay of their own. Only join invites you got from your team.',
      opts.asked && ASKED,
    ),
    button: 'Join',
  };
}

/**
 * The question a team command asks before acting on arguments; undefined when it got none, or
 * when the arguments change nothing (stop hosting while not hosting, an invite that does not
 * parse: the command then fails on it without acting).
 */
export function describeTeamChange(command: TeamCommand, args: readonly unknown[], now: TeamNow): Confirmation | undefined {
  if (!invokedWithArguments(args)) return undefined;
  return DESCRIBE[command](args, now);
}

type Describe = (args: readonly unknown[], now: TeamNow) => Confirmation | undefined;

function describeJoin(args: readonly unknown[], now: TeamNow): Confirmation {
  const url = shown(field(args, 'relayUrl'), 200);
  const name = shown(field(args, 'name'));
  const missing = [url ? undefined : 'relay address', typeof field(args, 'name') === 'string' ? undefined : 'display name'].filter(Boolean);
  return {
    text: `Join ${url ? `the team at ${url}` : 'a Parley team'}${name ? ` as "${name}"` : ''}?`,
    detail: detail(
      shown(field(args, 'secret')) && 'With a team secret.',
      missing.length > 0 && `Parley asks for the ${missing.join(' and ')} next.`,
      leaving(now),
      ASKED,
    ),
    button: 'Join',
  };
}

function describeJoinInvite(args: readonly unknown[], now: TeamNow): Confirmation | undefined {
  const text = field(args, 'text');
  const parsed = typeof text === 'string' ? parseInvite(text) : undefined;
  if (!parsed?.ok) return undefined;
  const name = field(args, 'name');
  return describeInvite(parsed.invite, now, { asked: true, ...(typeof name === 'string' ? { name } : {}) });
}

function describeHost(args: readonly unknown[], now: TeamNow): Confirmation {
  const team = shown(field(args, 'team'));
  const name = shown(field(args, 'name'));
  const share = field(args, 'share');
  const who =
    share === true
      ? `Shared on this network${field(args, 'secure') === false ? ' WITHOUT encryption (plain ws://: the secret and messages cross the network readable)' : ', over TLS'}: teammates join with an invite (team secret required).`
      : share === false
        ? 'This machine only: nobody else can connect.'
        : 'Parley asks who may connect next.';
  return {
    text: `Host ${team ? `the team "${team}"` : 'a Parley team'} on this machine${name ? ` as "${name}"` : ''}?`,
    detail: detail(
      who,
      'The relay starts with VS Code from now on, until you stop hosting.',
      now.hosting ? 'This window already hosts a relay; it joins that one.' : leaving(now),
      ASKED,
    ),
    button: 'Host',
  };
}

function describeStopHosting(_args: readonly unknown[], now: TeamNow): Confirmation | undefined {
  const h = now.hosting;
  if (!h) return undefined;
  return {
    text: 'Stop hosting the team relay?',
    detail: detail(
      `${h.online} of ${h.members} members are connected to it; everyone is disconnected until it is hosted again, and it no longer starts with VS Code.`,
      ASKED,
    ),
    button: 'Stop Hosting',
  };
}

function describeSignOut(_args: readonly unknown[], now: TeamNow): Confirmation {
  return {
    text: now.relayUrl ? `Sign out of ${teamName(now)}?` : 'Sign out of Parley?',
    detail: detail('Unsent messages stay queued for the next sign-in.', ASKED),
    button: 'Sign Out',
  };
}

/** One question per team command (the compiler asks for a new command's). */
const DESCRIBE: { [C in TeamCommand]: Describe } = {
  'parley.joinTeam': describeJoin,
  'parley.joinInvite': describeJoinInvite,
  'parley.hostTeam': describeHost,
  'parley.stopHosting': describeStopHosting,
  'parley.signOut': describeSignOut,
};
