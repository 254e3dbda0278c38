import * as vscode from 'vscode';
import type { TeamCommands } from '../teamCommands';
import type { ViewHandlers } from './viewHost';

type TeamHandlers = Pick<ViewHandlers, 'join' | 'host' | 'invite' | 'command' | 'manageMember'>;

/**
 * The join form (join, host, paste an invite) and the view's buttons that run a command. The
 * join form's acts are the user's own request, so they run without the question a command asks
 * when invoked with arguments (see teamCommands.ts).
 */
export function teamHandlers(team: Pick<TeamCommands, 'run'>, runCommand: (id: string) => void): TeamHandlers {
  return {
    join: (msg) => team.run('parley.joinTeam', { relayUrl: msg.relayUrl, name: msg.name, secret: msg.secret }),
    host: (msg) => team.run('parley.hostTeam', { name: msg.name }),
    invite: (msg) => team.run('parley.joinInvite', { text: msg.text }),
    command: (msg) => runCommand(`parley.${msg.command}`),
    // The member list's "Manage…": the command asks what to do and confirms it.
    manageMember: (msg) => vscode.commands.executeCommand('parley.manageMember', msg.user),
  };
}
