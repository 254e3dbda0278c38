import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Checks on package.json's `contributes`: what VS Code shows from it without running any code.

interface MenuItem {
  command: string;
  when?: string;
  group?: string;
}

interface Setting {
  enum?: string[];
  enumDescriptions?: string[];
  enumItemLabels?: string[];
  scope?: string;
}

/** The extension's package.json: above the compiled test (out/test/unit), else in the working directory. */
interface Capabilities {
  untrustedWorkspaces?: { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] };
  virtualWorkspaces?: { supported: boolean | 'limited'; description?: string };
}

function manifest(): {
  capabilities?: Capabilities;
  contributes: { commands: { command: string }[]; menus: Record<string, MenuItem[]>; configuration: { properties: Record<string, Setting> } };
} {
  for (let dir = __dirname; ; dir = join(dir, '..')) {
    try {
      const p = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (p.name === 'parley') return p;
    } catch {
      /* not here */
    }
    if (dir === join(dir, '..')) break;
  }
  return JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));
}

const { contributes } = manifest();

describe('package.json contributes', () => {
  // VS Code's scopes (contribution points reference, and its configuration code): `application`
  // and `machine` settings are read from user (or remote) settings only, never from a workspace's
  // or folder's .vscode/settings.json; Settings Sync skips `machine` and `machine-overridable`
  // settings (and those marked `ignoreSync`) but syncs `application` ones.
  it("lets no workspace (a cloned repository's .vscode/settings.json) set where the chat connects, who it is, or hosting", () => {
    const props = contributes.configuration.properties;
    const perMachine = [
      'relayUrl',
      'hostPort',
      'hostOnStartup',
      'hostShare',
      'hostAddress',
      'hostSecure',
      'teamName',
      'discovery.enabled',
      'discovery.interface',
    ];
    for (const key of perMachine) assert.equal(props[`parley.${key}`]?.scope, 'machine', `parley.${key}`);
    for (const key of ['displayName', 'shareReadReceipts']) assert.equal(props[`parley.${key}`]?.scope, 'application', `parley.${key}`);
    // Whatever else is settable per workspace is about this window's own notifications only.
    const windowScoped = Object.keys(props).filter((k) => props[k]!.scope !== 'application' && props[k]!.scope !== 'machine');
    assert.deepEqual(windowScoped.sort(), ['parley.awayAfterMinutes', 'parley.notifications', 'parley.quietWhileDebugging']);
  });

  it('syncs no setting that starts hosting or picks a relay to another machine (a second machine would host an empty team of its own)', () => {
    const props = contributes.configuration.properties as Record<string, Setting & { ignoreSync?: boolean }>;
    const synced = (k: string) => !(props[k]!.ignoreSync || props[k]!.scope === 'machine' || props[k]!.scope === 'machine-overridable');
    for (const key of [
      'relayUrl',
      'hostOnStartup',
      'hostShare',
      'hostAddress',
      'hostPort',
      'hostSecure',
      'teamName',
      'discovery.enabled',
      'discovery.interface',
    ]) {
      assert.equal(synced(`parley.${key}`), false, `parley.${key} would be synced`);
    }
    // The display name travels: it is the same person on every machine.
    assert.equal(synced('parley.displayName'), true);
  });

  it('shares on the network with TLS unless told otherwise', () => {
    assert.equal((contributes.configuration.properties['parley.hostSecure'] as { default?: unknown }).default, true);
    assert.equal((contributes.configuration.properties['parley.hostShare'] as { default?: unknown }).default, false);
  });

  it('declares what works in Restricted Mode and in virtual workspaces', () => {
    const caps = manifest().capabilities;
    assert.equal(caps?.untrustedWorkspaces?.supported, 'limited');
    assert.match(caps?.untrustedWorkspaces?.description ?? '', /Restricted Mode/);
    assert.match(caps?.untrustedWorkspaces?.description ?? '', /no git/);
    // Workspace values of the settings a workspace may set at all are ignored until it is trusted.
    const props = contributes.configuration.properties;
    const workspaceSettable = Object.keys(props).filter((k) => props[k]!.scope !== 'application' && props[k]!.scope !== 'machine');
    assert.deepEqual([...(caps?.untrustedWorkspaces?.restrictedConfigurations ?? [])].sort(), workspaceSettable.sort());
    assert.equal(caps?.virtualWorkspaces?.supported, 'limited');
    assert.match(caps?.virtualWorkspaces?.description ?? '', /read-only copy/);
  });

  it('gives every enum setting readable labels for its dropdown', () => {
    for (const [key, s] of Object.entries(contributes.configuration.properties)) {
      if (!s.enum) continue;
      assert.equal(s.enumItemLabels?.length, s.enum.length, `${key}: enumItemLabels`);
      assert.equal(s.enumDescriptions?.length, s.enum.length, `${key}: enumDescriptions`);
    }
    assert.deepEqual(contributes.configuration.properties['parley.notifications']!.enumItemLabels, ['All messages', 'Direct messages and mentions', 'None']);
  });

  it('keeps the view title free of what the view itself offers, and orders each group once', () => {
    const title = contributes.menus['view/title']!;
    // The view has a search box, the conversation list and Room / Join / Message / Invite buttons.
    const inView = new Set([
      'parley.searchMessages',
      'parley.switchConversation',
      'parley.startDm',
      'parley.createRoom',
      'parley.joinRoom',
      'parley.copyInvite',
    ]);
    const navigation = title.filter((m) => m.group?.startsWith('navigation'));
    assert.ok(navigation.length <= 2, `${navigation.length} icons in the view title`);
    for (const m of navigation) assert.ok(!inView.has(m.command), `${m.command} is an icon in the view title and a button in the view`);
    const seen = new Map<string, string>();
    for (const m of title) {
      assert.ok(m.group, `${m.command} has no group`);
      const other = seen.get(m.group);
      assert.equal(other, undefined, `${m.command} and ${other} are both at ${m.group}`);
      seen.set(m.group, m.command);
    }
  });

  it('names only declared commands in menus and hides none from the palette but sendTo (it needs arguments)', () => {
    const declared = new Set(contributes.commands.map((c) => c.command));
    for (const [menu, items] of Object.entries(contributes.menus))
      for (const m of items) assert.ok(declared.has(m.command), `${menu}: ${m.command} is not a command`);
    const hidden = contributes.menus['commandPalette']!.filter((m) => m.when === 'false').map((m) => m.command);
    assert.deepEqual(hidden, ['parley.sendTo']);
  });

  it('binds no Ctrl+Alt+letter key by default (AltGr on many Windows layouts types characters with it)', () => {
    const keys = (contributes as { keybindings?: { key?: string; mac?: string; win?: string; linux?: string }[] }).keybindings ?? [];
    const altgr = keys
      .flatMap((k) => [k.key, k.win, k.linux].filter((x): x is string => !!x))
      .filter((k) => /\bctrl\+(shift\+)?alt\+|\balt\+(shift\+)?ctrl\+/i.test(k));
    assert.deepEqual(altgr, []);
  });
});
