import * as vscode from 'vscode';
import type { Register } from './commandSupport';
import type { Sharer } from './share';

/** Sending code, files and changes from the editor, the explorer and Source Control (see share.ts). */
export function registerShareCommands(reg: Register, sharer: Sharer): void {
  reg('parley.sendSelection', (uri?: vscode.Uri) => {
    const editor = vscode.window.activeTextEditor;
    const target = uri instanceof vscode.Uri ? vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString()) : undefined;
    return sharer.sendSelection(target ?? editor);
  });
  reg('parley.sendSelectionAgain', () => sharer.sendSelection(vscode.window.activeTextEditor, true));
  reg('parley.sendFile', (uri?: vscode.Uri, uris?: vscode.Uri[]) =>
    sharer.sendFiles(uri instanceof vscode.Uri ? uri : undefined, Array.isArray(uris) ? uris : undefined),
  );
  reg('parley.sendTo', () => sharer.sendSelection(vscode.window.activeTextEditor));
  // From the explorer or an editor tab: a Uri; from the Source Control view: a resource state.
  reg('parley.sendChanges', (arg?: vscode.Uri | { resourceUri?: vscode.Uri }) =>
    sharer.sendChanges(arg instanceof vscode.Uri ? arg : arg?.resourceUri instanceof vscode.Uri ? arg.resourceUri : undefined),
  );
}
