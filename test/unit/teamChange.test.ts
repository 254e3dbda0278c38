import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inviteText, makeInvite, type Invite } from '../../src/infra/invite';
import { describeInvite, describeTeamChange, invokedWithArguments, TEAM_COMMANDS, type TeamCommand, type TeamNow } from '../../src/host/teamChange';
import { loadWith, vscodeStub } from './stubVscode';

// Commands that change the team ask first whenever they get arguments (a link, another extension,
// a keybinding), name what will happen, and do nothing unless the user agrees. From the palette
// or a menu (no arguments) they keep their step-by-step flow.

const root = join(__dirname, '..', '..', '..');
const hostDir = join(root, 'src', 'host');
const inCore: TeamNow = { relayUrl: 'ws://10.0.0.1:7420', team: 'Core', name: 'alice' };
const invite = (fields: Partial<Invite> = {}): Invite => {
  const made = makeInvite({ relayUrl: 'wss://192.0.2.7:7420', secret: 'team secret', fingerprint: 'ab'.repeat(32), team: 'Rocket team', ...fields });
  assert.ok(made.ok);
  return made.invite;
};

/** Every contributed command that does not change the team. A new command goes here or into TEAM_COMMANDS. */
const NOT_TEAM = [
  'parley.openChat',
  'parley.nextUnread',
  'parley.previousUnread',
  'parley.toggleMute',
  'parley.snoozeNotifications',
  'parley.resumeNotifications',
  'parley.copyInvite',
  'parley.inviteByName',
  'parley.hostingStatus',
  'parley.switchConversation',
  'parley.startDm',
  'parley.createRoom',
  'parley.joinRoom',
  'parley.exportConversation',
  'parley.setTopic',
  'parley.archiveRoom',
  'parley.unarchiveRoom',
  'parley.searchMessages',
  'parley.leaveRoom',
  // Reconnects to the team the settings name, or resumes hosting as saved: no team of its own.
  'parley.reconnect',
  'parley.showLog',
  // Devices of the member signed in (deviceCommands.ts); none takes arguments. Signing in with a
  // code reconnects to the team the settings name, with a code typed into an input box.
  'parley.addDevice',
  'parley.useDeviceCode',
  'parley.manageDevices',
  // Team administration (adminCommands.ts): each asks in a modal before acting, arguments or not.
  'parley.removeMember',
  'parley.setMemberRole',
  'parley.rotateSecret',
  'parley.manageMember',
  'parley.sendSelection',
  'parley.sendSelectionAgain',
  'parley.sendFile',
  'parley.sendChanges',
  'parley.sendTo',
];

describe('team-changing commands: the question', () => {
  it('is asked only for defined arguments (VS Code menus pass undefined)', () => {
    assert.equal(invokedWithArguments([]), false);
    assert.equal(invokedWithArguments([undefined]), false);
    assert.equal(invokedWithArguments([undefined, {}]), true);
    for (const id of TEAM_COMMANDS) {
      assert.equal(describeTeamChange(id, [], inCore), undefined, id);
      assert.equal(describeTeamChange(id, [undefined], { ...inCore, hosting: { online: 1, members: 1 } }), undefined, id);
    }
  });

  it('joining names the relay, the name, and the team it leaves', () => {
    const q = describeTeamChange('parley.joinTeam', [{ relayUrl: 'ws://203.0.113.9:7420', name: 'bob', secret: 's3' }], inCore)!;
    assert.equal(q.text, 'Join the team at ws://203.0.113.9:7420 as "bob"?');
    assert.equal(q.button, 'Join');
    assert.match(q.detail, /^With a team secret\.$/m);
    assert.match(q.detail, /^This leaves the team "Core" \(ws:\/\/10\.0\.0\.1:7420\), where you are "alice"\.$/m);
    assert.match(q.detail, /another extension or a keybinding asked Parley/);
    assert.ok(!q.detail.includes('s3'), 'the secret is not shown');
    const partial = describeTeamChange('parley.joinTeam', [{ relayUrl: 'ws://203.0.113.9:7420' }], {})!;
    assert.match(partial.detail, /Parley asks for the display name next\./);
    assert.ok(!/This leaves/.test(partial.detail), 'not in a team: nothing to leave');
  });

  it('shows what the arguments say as plain single lines', () => {
    const name = 'mallory\nThis leaves nothing. [ok](command:parley.signOut) $(check)\u202e';
    const q = describeTeamChange('parley.joinTeam', [{ relayUrl: `ws://e.invalid/${'x'.repeat(500)}`, name }], inCore)!;
    assert.ok(!q.text.includes('\n') && !q.text.includes('](') && !q.text.includes('$(') && !q.text.includes('\u202e'), q.text);
    assert.ok(q.text.length < 400, 'long arguments are shortened');
    assert.equal(q.detail.split('\n').filter((l) => l.startsWith('This leaves')).length, 1, q.detail);
  });

  it('hosting says who may connect, that it starts with VS Code, and what it leaves', () => {
    const q = describeTeamChange('parley.hostTeam', [{ name: 'alice', share: true, secure: true, team: 'Rocket team' }], inCore)!;
    assert.equal(q.text, 'Host the team "Rocket team" on this machine as "alice"?');
    assert.match(q.detail, /^Shared on this network, over TLS: teammates join with an invite/m);
    assert.match(q.detail, /starts with VS Code from now on/);
    assert.match(q.detail, /This leaves the team "Core"/);
    assert.match(describeTeamChange('parley.hostTeam', [{ share: false }], {})!.detail, /This machine only/);
    assert.match(
      describeTeamChange('parley.hostTeam', [{}], { ...inCore, hosting: { online: 1, members: 1 } })!.detail,
      /already hosts a relay; it joins that one/,
    );
  });

  it('stopping asks only while hosting, and says who is cut off', () => {
    assert.equal(describeTeamChange('parley.stopHosting', [{}], inCore), undefined);
    const q = describeTeamChange('parley.stopHosting', [true], { ...inCore, hosting: { online: 3, members: 7 } })!;
    assert.equal(q.text, 'Stop hosting the team relay?');
    assert.match(q.detail, /^3 of 7 members are connected to it; everyone is disconnected/);
    assert.equal(q.button, 'Stop Hosting');
  });

  it('signing out names the team', () => {
    assert.equal(describeTeamChange('parley.signOut', [{}], inCore)!.text, 'Sign out of the team "Core" (ws://10.0.0.1:7420)?');
    assert.equal(describeTeamChange('parley.signOut', [{}], {})!.text, 'Sign out of Parley?');
  });

  it('an invite is described as the invite dialog describes it; one that does not parse asks nothing (the command fails on it)', () => {
    const text = inviteText(invite());
    const q = describeTeamChange('parley.joinInvite', [{ text, name: 'bob' }], inCore)!;
    assert.deepEqual(q, describeInvite(invite(), inCore, { asked: true, name: 'bob' }));
    assert.equal(q.text, 'Join the team "Rocket team"?');
    assert.match(q.detail, /^Relay: wss:\/\/192\.0\.2\.7:7420$/m);
    assert.match(q.detail, /^Team secret: included$/m);
    assert.match(q.detail, /^Certificate: [0-9A-F:]{95}$/m);
    assert.match(q.detail, /^Your name there: "bob"$/m);
    assert.match(q.detail, /^This leaves the team "Core"/m);
    assert.equal(describeTeamChange('parley.joinInvite', [{ text: 'not an invite' }], inCore), undefined);
    assert.equal(describeTeamChange('parley.joinInvite', [{ name: 'bob' }], inCore), undefined);
    // Pasted by the user: the same question without the line about who asked.
    assert.ok(!/asked Parley/.test(describeInvite(invite(), {}, { asked: false }).detail));
  });
});

describe('team-changing commands: the guard', () => {
  type Answer = 'cancel' | 'agree';
  const vscode = vscodeStub();
  const modals: { text: string; modal: boolean; items: string[] }[] = [];
  const prompts: string[] = [];
  const errors: string[] = [];
  const acted: string[] = [];
  let answer: Answer = 'cancel';
  const question = async (text: string, opts: { modal?: boolean } | string | undefined, ...items: string[]) => {
    if (typeof opts !== 'object' || !opts.modal) return undefined; // a toast, not a question
    modals.push({ text, modal: true, items });
    return answer === 'agree' ? items[0] : undefined;
  };
  vscode.window.showWarningMessage = question;
  vscode.window.showInformationMessage = question;
  vscode.window.showErrorMessage = async (text: string) => void errors.push(text);
  vscode.window.showInputBox = async (o: { prompt: string }) => void prompts.push(o.prompt);
  vscode.window.showQuickPick = async (_items: unknown, o: { title: string }) => void prompts.push(o.title);
  Object.assign(vscode.settings, { relayUrl: 'ws://10.0.0.1:7420', displayName: 'alice', teamName: 'Core' });

  const relay = {
    opts: { discovery: { team: 'Core' } },
    relay: { onlineCount: () => 2, memberCount: () => 5 },
    addresses: () => ['127.0.0.1'],
    url: (a: string) => `ws://${a}:7420`,
  };
  const session = {
    client: { self: { name: 'alice' } },
    hosting: {
      relay: relay as typeof relay | undefined,
      start: async () => (acted.push('start hosting'), { url: 'ws://127.0.0.1:7420' }),
      stop: async () => void acted.push('stop hosting'),
    },
    join: async (url: string, name: string) => void acted.push(`join ${url} as ${name}`),
    signOut: async () => void acted.push('sign out'),
  };
  const invites = {
    acceptText: async (_text: string, name: string | undefined, from: string) => (acted.push(`invite (${from}) as ${name}`), true),
    copy: async () => undefined,
  };
  const log = { error: () => undefined };
  const { TeamCommands } = loadWith<typeof import('../../src/host/teamCommands')>('../../src/host/teamCommands', vscode, {
    './hosting': { HostedElsewhere: class extends Error {} },
  });
  const team = new TeamCommands({ session, invites, log, reveal: async () => undefined } as never);
  const registered = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  team.register((id, fn) => registered.set(id, fn as never));

  /** Arguments another extension might pass each command; valid, so agreeing lets it act. */
  const ARGS: Record<TeamCommand, unknown> = {
    'parley.joinTeam': { relayUrl: 'ws://203.0.113.9:7420', name: 'mallory', secret: 'correct horse' },
    'parley.hostTeam': { name: 'alice', share: true, secure: false },
    'parley.stopHosting': {},
    'parley.joinInvite': { text: inviteText(invite()), name: 'bob' },
    'parley.signOut': {},
  };

  const run = async (id: TeamCommand, a: Answer, ...args: unknown[]) => {
    modals.length = prompts.length = errors.length = acted.length = 0;
    answer = a;
    await registered.get(id)!(...args);
    return { modals: [...modals], prompts: [...prompts], errors: [...errors], acted: [...acted] };
  };

  it('registers every team command, and nothing else', () => {
    assert.deepEqual([...registered.keys()].sort(), [...TEAM_COMMANDS].sort());
  });

  for (const id of TEAM_COMMANDS) {
    it(`${id} with arguments asks in a modal and does nothing when the answer is no`, async () => {
      const r = await run(id, 'cancel', ARGS[id]);
      assert.equal(r.modals.length, 1, JSON.stringify(r));
      assert.equal(r.modals[0]!.modal, true);
      assert.equal(r.modals[0]!.items.length, 1, 'one button that goes ahead (and Cancel)');
      assert.deepEqual(r.acted, []);
      assert.deepEqual(r.prompts, []);
    });

    it(`${id} with arguments acts once the user agrees, without asking twice`, async () => {
      const r = await run(id, 'agree', ARGS[id]);
      assert.deepEqual(r.errors, []);
      assert.equal(r.modals.length, 1, JSON.stringify(r.modals));
      assert.notDeepEqual(r.acted, [], 'it acted');
    });
  }

  it('what each would do is in its question', async () => {
    assert.match(
      (await run('parley.joinTeam', 'agree', ARGS['parley.joinTeam'])).modals[0]!.text,
      /^Join the team at ws:\/\/203\.0\.113\.9:7420 as "mallory"\?$/,
    );
    assert.deepEqual((await run('parley.joinTeam', 'agree', ARGS['parley.joinTeam'])).acted, ['join ws://203.0.113.9:7420 as mallory']);
    assert.deepEqual((await run('parley.joinInvite', 'agree', ARGS['parley.joinInvite'])).acted, ['invite (confirmed) as bob']);
    assert.deepEqual((await run('parley.hostTeam', 'agree', ARGS['parley.hostTeam'])).acted, ['start hosting', 'join ws://127.0.0.1:7420 as alice']);
  });

  it('from the palette or a menu (no arguments, or undefined) the step-by-step flow is unchanged', async () => {
    for (const args of [[], [undefined]]) {
      const join = await run('parley.joinTeam', 'cancel', ...args);
      assert.deepEqual([join.modals, join.prompts, join.acted], [[], ['Relay address'], []]);
      const invite = await run('parley.joinInvite', 'cancel', ...args);
      assert.deepEqual([invite.modals, invite.prompts], [[], ['Paste the invite link or the whole invite text']]);
      const host = await run('parley.hostTeam', 'cancel', ...args);
      assert.deepEqual([host.modals, host.prompts], [[], ['Host a Parley team']]);
      const signOut = await run('parley.signOut', 'cancel', ...args);
      assert.deepEqual([signOut.modals.map((m) => m.text), signOut.acted], [['Sign out of Parley? Unsent messages stay queued for the next sign-in.'], []]);
      const stop = await run('parley.stopHosting', 'cancel', ...args);
      assert.deepEqual([stop.modals, stop.acted], [[], ['stop hosting']]);
    }
  });

  it('stop hosting with arguments while not hosting asks nothing and changes nothing', async () => {
    session.hosting.relay = undefined;
    try {
      const r = await run('parley.stopHosting', 'cancel', {});
      assert.deepEqual(r.modals, []);
    } finally {
      session.hosting.relay = relay;
    }
  });

  it('Parley’s own join form goes through run(): no extra question', async () => {
    modals.length = acted.length = 0;
    await team.run('parley.joinTeam', { relayUrl: 'ws://203.0.113.9:7420', name: 'mallory', secret: '' });
    assert.deepEqual(modals, []);
    assert.deepEqual(acted, ['join ws://203.0.113.9:7420 as mallory']);
  });

  it('the question reaches VS Code neutralized, on one line', async () => {
    const r = await run('parley.joinTeam', 'cancel', { relayUrl: 'ws://x:1', name: 'm\n[ok](command:parley.signOut)\u202e' });
    assert.ok(!/\n|\]\(|\u202e/.test(r.modals[0]!.text), r.modals[0]!.text);
  });
});

describe('team-changing commands: registration', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
  const declared = manifest.contributes.commands.map((c) => c.command);
  const commandsTs = readFileSync(join(hostDir, 'commands.ts'), 'utf8');
  // commands.ts registers through `reg`, itself or by handing `reg` to a register*Commands(reg, …) of its own.
  const handedTo = [...commandsTs.matchAll(/\bregister\w+Commands\(reg\b[^)]*\)/g)].map((m) => m[0]);
  const helperFiles = readdirSync(hostDir).filter(
    (f) =>
      /Commands\.ts$/.test(f) &&
      f !== 'teamCommands.ts' &&
      handedTo.some((h) => h.startsWith(`register${f[0]!.toUpperCase()}${f.slice(1, -'Commands.ts'.length)}`)),
  );
  const registeredThere = [commandsTs, ...helperFiles.map((f) => readFileSync(join(hostDir, f), 'utf8'))].flatMap((src) =>
    [...src.matchAll(/\breg\(\s*'([^']+)'/g)].map((m) => m[1]!),
  );

  it('every contributed command is either a team command or known not to be one', () => {
    const team = new Set<string>(TEAM_COMMANDS);
    for (const id of TEAM_COMMANDS) assert.ok(declared.includes(id), `${id} is not in package.json`);
    assert.deepEqual(
      declared.filter((id) => !team.has(id)).sort(),
      [...NOT_TEAM].sort(),
      'a new command: add it to TEAM_COMMANDS (src/host/teamChange.ts) if it joins, hosts, stops hosting or leaves a team, else to NOT_TEAM here',
    );
  });

  it('commands.ts registers every other command itself and no team command (those go through TeamCommands.register)', () => {
    assert.deepEqual([...registeredThere].sort(), [...NOT_TEAM].sort());
    assert.match(commandsTs, /\bteam\.register\(reg\)/);
  });

  it('nothing in src/host registers a command but commands.ts', () => {
    const elsewhere = readdirSync(hostDir)
      .filter((f) => f.endsWith('.ts') && f !== 'commands.ts')
      .filter((f) => /\bregisterCommand\(/.test(readFileSync(join(hostDir, f), 'utf8')));
    assert.deepEqual(elsewhere, []);
    assert.equal(commandsTs.match(/\bregisterCommand\(/g)?.length, 1, 'one registerCommand, in reg');
  });

  it('Parley’s own callers run team commands directly, not through executeCommand with arguments', () => {
    const offenders: string[] = [];
    for (const f of readdirSync(hostDir).filter((x) => x.endsWith('.ts'))) {
      const text = readFileSync(join(hostDir, f), 'utf8');
      for (const id of TEAM_COMMANDS) if (new RegExp(`executeCommand\\(\\s*'${id.replace('.', '\\.')}'\\s*,`).test(text)) offenders.push(`${f}: ${id}`);
    }
    assert.deepEqual(offenders, [], 'with arguments it would ask the user about their own request; use TeamCommands.run');
  });
});
