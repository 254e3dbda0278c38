import * as vscode from 'vscode';
import { ChatViewProvider } from './chatViewProvider';
import { readConfig } from './config';
import { Hosting } from './hosting';
import { Invites } from './invites';
import { NetworkTeams } from './networkTeams';
import { CodeLinks } from './codeLinks';
import { registerCommands } from './commands';
import { Notifier } from './notifications';
import { NotificationPrefs } from './notificationPrefs';
import { PresenceTracker } from './presence';
import { Session } from './session';
import { Sharer } from './share';
import { TeamCommands } from './teamCommands';
import { SnoozeIndicator, StatusBar } from './statusBar';
import { VirtualDocs } from './virtualDocs';

export async function activate(context: vscode.ExtensionContext): Promise<{ session: Session }> {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Parley', { log: true });
  context.subscriptions.push(log);
  const hosting = new Hosting(context, log);
  context.subscriptions.push(hosting);
  const session = new Session(context, log, hosting);
  context.subscriptions.push(session);
  const networkTeams = new NetworkTeams(session, log);
  context.subscriptions.push(networkTeams);
  const invites = new Invites(session, log);
  invites.register(context);
  const docs = new VirtualDocs();
  context.subscriptions.push(docs);
  const prefs = new NotificationPrefs(context, session, log);
  context.subscriptions.push(prefs);
  context.subscriptions.push(new SnoozeIndicator(prefs));
  // `chat` is read only once a command runs, after activation has made it.
  const team: TeamCommands = new TeamCommands({ session, invites, log, reveal: (): Promise<void> => chat.reveal() });
  const chat: ChatViewProvider = new ChatViewProvider(
    context,
    session,
    log,
    (id) => void vscode.commands.executeCommand(id),
    team,
    new CodeLinks(docs),
    networkTeams,
    prefs,
  );
  context.subscriptions.push(chat);
  context.subscriptions.push(vscode.window.registerWebviewViewProvider(ChatViewProvider.viewType, chat));
  context.subscriptions.push(new StatusBar(session, prefs));
  context.subscriptions.push(new Notifier(context, session, chat, prefs));
  context.subscriptions.push(new PresenceTracker(session, chat));
  registerCommands(context, { session, chat, log, sharer: new Sharer(context, session), invites, team, prefs });
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('parley.shareReadReceipts')) session.client?.setShareRead(readConfig().shareReadReceipts);
      if (e.affectsConfiguration('parley.displayName') && session.client) {
        const cfg = vscode.workspace.getConfiguration('parley');
        const url = cfg.get<string>('relayUrl', '');
        const name = cfg.get<string>('displayName', '');
        if (url && name && name !== session.client.self?.name) void session.connect(url, name);
      }
    }),
  );
  const cfg = readConfig();
  await session
    .restore(async () => {
      // Resuming what the user chose before: the command's work without the question arguments bring.
      await team.run('parley.hostTeam', { name: cfg.displayName, share: cfg.hostShare, secure: cfg.hostSecure });
    })
    .catch((err: Error) => log.error(`could not connect: ${err.message}`));
  log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
  return { session };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it.
}
