import * as vscode from 'vscode';
import type { ParleyClient } from '../client/client';
import { ErrorCode } from '../protocol/constants';
import type { Device } from '../protocol/wire';
import { readConfig } from './config';
import { ask, showWarning } from './messages';
import { askText, pickOne } from './picks';
import type { Session } from './session';
import type { Register } from './commandSupport';

// One person, several machines: each machine has its own key (a device of the member). A
// machine already signed in makes a one-time code; the new machine signs in with it. None of
// these commands takes arguments: a link or another extension must not be able to make this
// machine a device of someone else's member, or read a code.

/** A code as the relay makes them: ten letters and digits, maybe with a dash or spaces. */
const CODE = /^[A-Za-z0-9]{5}[\s-]?[A-Za-z0-9]{5}$/;

const when = (ms: number) => new Date(ms).toLocaleString();

export function registerDeviceCommands(reg: Register, session: Session, context: vscode.ExtensionContext): void {
  const needClient = (): ParleyClient => {
    const c = session.client;
    if (!c || c.state !== 'connected') throw new Error('sign in to your team first: devices are managed on the relay');
    return c;
  };

  reg('parley.addDevice', async () => {
    const client = needClient();
    const { code, expires } = await client.makeDeviceCode();
    const cfg = readConfig();
    const choice = await ask(
      'info',
      `Device code: ${code}`,
      {
        detail: `On the other machine, join ${cfg.relayUrl ?? 'this relay'} as ${client.self?.name ?? cfg.displayName ?? 'you'}; when it says the name is taken, choose "Enter Device Code…" and type this code. It works once, until ${new Date(expires).toLocaleTimeString()}. Anyone with it can sign in as you: do not post it in a chat.`,
      },
      'Copy Code',
    );
    if (choice === 'Copy Code') await vscode.env.clipboard.writeText(code);
  });

  reg('parley.useDeviceCode', async () => {
    const cfg = readConfig();
    if (!cfg.relayUrl || !cfg.displayName) throw new Error('join the team first (Parley: Join Team…) with your name; then enter the code');
    const code = await askText({
      title: `Sign in as ${cfg.displayName} with a device code`,
      prompt: `On a machine where you are signed in, run "Parley: Add a Device…" and type its code here.`,
      placeHolder: 'XXXXX-XXXXX',
      ignoreFocusOut: true,
      validateInput: (v) => (CODE.test(v.trim()) ? undefined : 'a device code has ten letters and digits, like 7KQ2M-XW9PD'),
    });
    if (!code) return;
    session.useDeviceCode(cfg.relayUrl, code);
    await session.connect(cfg.relayUrl, cfg.displayName);
  });

  reg('parley.manageDevices', () => manageDevices(needClient()));

  context.subscriptions.push(...watchSignIns(session));
}

/** Lists the member's devices; the one picked is removed (after a question). */
async function manageDevices(client: ParleyClient): Promise<void> {
  const devices = await client.listDevices();
  const picked = await pickOne(
    devices.map((d) => ({
      icon: d.id === client.deviceId ? 'vm-active' : 'vm',
      label: d.label,
      description: d.id === client.deviceId ? 'this device' : undefined,
      detail: `added ${when(d.added)}${d.seen ? ` · last signed in ${when(d.seen)}` : ''}`,
      value: d,
    })),
    { title: `Devices that sign in as ${client.self?.name ?? 'you'}`, placeHolder: 'Pick a device to remove it' },
  );
  if (!picked) return;
  if (devices.length === 1) throw new Error('that is your only device: without it nobody could sign in as you');
  const self = picked.id === client.deviceId;
  const sure = await ask(
    'warning',
    `Remove "${picked.label}"?`,
    {
      detail: self
        ? 'This window is signed out at once and this machine no longer signs in as you (add it again with a device code).'
        : 'It is signed out at once and no longer signs in as you.',
    },
    'Remove Device',
  );
  if (sure !== 'Remove Device') return;
  await client.removeDevice(picked.id);
}

/**
 * A new device signing in as this member is worth knowing at once (as a "new sign-in" mail),
 * and so is a name taken by a member this machine could sign in as. Follows the session's
 * client across swaps; returns what to dispose.
 */
function watchSignIns(session: Session): vscode.Disposable[] {
  // The devices known since this client connected (none yet: nothing counts as new).
  let known: Set<string> | undefined;
  return [
    session.onDidChangeClient(() => (known = undefined)),
    session.onClientEvent('state', (state) => {
      const client = session.client;
      if (state !== 'connected' || !client) return;
      client.listDevices().then(
        (ds) => (known = new Set(ds.map((d) => d.id))),
        () => undefined,
      );
    }),
    session.onClientEvent('devices', (ds: Device[]) => {
      const fresh = known ? ds.filter((d) => !known?.has(d.id) && d.id !== session.client?.deviceId) : [];
      known = new Set(ds.map((d) => d.id));
      for (const d of fresh) {
        void showWarning(`A new device signed in as you: ${d.label}. If that was not you, remove it.`, 'Manage Devices…').then((c) => {
          if (c) void vscode.commands.executeCommand('parley.manageDevices');
        });
      }
    }),
    session.onClientEvent('error', (code) => {
      if (code !== ErrorCode.nameTaken) return;
      void showWarning(
        `The name ${readConfig().displayName ?? ''} belongs to a member of this team. If it is you on another machine, sign in with a device code.`,
        'Enter Device Code…',
      ).then((c) => {
        if (c) void vscode.commands.executeCommand('parley.useDeviceCode');
      });
    }),
  ];
}
