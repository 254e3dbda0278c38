import * as vscode from 'vscode';
import { gitDirProblem } from '../client/paths';
import { writeRefusal } from '../client/writeTarget';
import { showWarning } from './messages';

// The one check before Parley writes (or edits, for the user to save) a file with content from a
// teammate: never into a .git directory, never through a symbolic link out of the workspace, and,
// for paths a teammate chose, never outside the workspace folders (see client/writeTarget.ts).

/**
 * Whether `target` may be written; when not, warns saying why and returns false. `doing`
 * completes "Parley did not … <file>" ("apply the changes to"). `chosenByUser`: the user picked
 * the file (a save dialog, their own editor), so a place outside the workspace is their choice.
 */
export async function mayWrite(target: vscode.Uri, doing: string, chosenByUser: boolean): Promise<boolean> {
  const why = await refusal(target, chosenByUser);
  if (why) void showWarning(`Parley did not ${doing} ${vscode.workspace.asRelativePath(target)}: ${why}.`);
  return why === undefined;
}

async function refusal(target: vscode.Uri, chosenByUser: boolean): Promise<string | undefined> {
  // An editor that is no file yet: nothing is on disk until the user saves it, with a dialog of their own.
  if (target.scheme === 'untitled') return undefined;
  if (target.scheme !== 'file') {
    // Another file system (remote, virtual): no links to resolve from here, but the name still counts.
    if (!chosenByUser) return 'it is not a file on this computer';
    return gitDirProblem(target.path);
  }
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  return writeRefusal(target.fsPath, { roots, chosenByUser });
}
