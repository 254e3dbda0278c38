import * as vscode from 'vscode';
import type { ChatViewProvider } from './chatViewProvider';
import type { Invites } from './invites';
import type { Session } from './session';
import type { Sharer } from './share';
import { reportingFailure } from './messages';
import type { TeamCommands } from './teamCommands';
import type { Register } from './commandSupport';
import { registerAdminCommands } from './adminCommands';
import { registerConnectionCommands } from './connectionCommands';
import { registerConversationCommands } from './conversationCommands';
import { registerDeviceCommands } from './deviceCommands';
import type { NotificationPrefs } from './notificationPrefs';
import { registerNotifyCommands } from './notifyCommands';
import { registerRoomCommands } from './roomCommands';
import { registerShareCommands } from './shareCommands';

interface Deps {
  session: Session;
  chat: ChatViewProvider;
  log: vscode.LogOutputChannel;
  sharer: Sharer;
  invites: Invites;
  team: TeamCommands;
  prefs: NotificationPrefs;
}

/**
 * Every command in package.json `contributes.commands`, registered here by area (one file each);
 * the ones that change the team (teamChange.ts TEAM_COMMANDS) by `team`, behind its guard.
 * A command that fails is logged and its error shown (reportingFailure).
 */
export function registerCommands(context: vscode.ExtensionContext, { session, chat, log, sharer, invites, team, prefs }: Deps): void {
  const reg: Register = (id, fn) =>
    void context.subscriptions.push(vscode.commands.registerCommand(id, (...args: never[]) => reportingFailure(log, id, () => fn(...args))));
  team.register(reg);
  context.subscriptions.push(registerAdminCommands(reg, session, () => invites.copy()));
  registerDeviceCommands(reg, session, context);
  registerShareCommands(reg, sharer);
  registerConnectionCommands(reg, { session, invites, team, log });
  registerConversationCommands(reg, session, chat);
  registerRoomCommands(reg, session, chat);
  registerNotifyCommands(reg, session, () => chat.active, prefs);
}
