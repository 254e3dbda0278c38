import * as vscode from 'vscode';
import { showWarning } from './messages';

// Restricted Mode. Chat, hosting and invites work in an untrusted workspace; what would read the
// workspace on a teammate's behalf or run its tools waits for trust. Git in particular runs
// commands the repository's own config names (core.fsmonitor, for one, runs on `git diff`), so
// git.ts runs no git at all until the workspace is trusted. Lookups (opening where received code
// lives, path:line references, a file's changes) go ahead by themselves once trust is granted;
// writes (insert, apply a patch, save) are refused with the reason and done again by the user.

export const MANAGE_TRUST = 'Manage Workspace Trust';
const TRUST_COMMAND = 'workbench.trust.manage';

/** Whether the workspace is trusted (always true where VS Code has trust turned off). */
export function trusted(): boolean {
  return vscode.workspace.isTrusted;
}

/**
 * For a lookup that needs a trusted workspace: true at once when trusted. Otherwise warns that
 * Parley did not `doing` ("look for app.ts in your workspace") and why, with a button that opens
 * Workspace Trust, and resolves true as soon as trust is granted (by the button or any other
 * way) within `waitMs`; false when the warning is closed or the time is up.
 */
export function whenTrusted(doing: string, waitMs = 5 * 60_000): Promise<boolean> {
  if (trusted()) return Promise.resolve(true);
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sub.dispose();
      resolve(ok);
    };
    const sub = vscode.workspace.onDidGrantWorkspaceTrust(() => finish(true));
    const timer = setTimeout(() => finish(false), waitMs);
    void showWarning(`Parley did not ${doing}: this workspace is in Restricted Mode. It will as soon as you trust the workspace.`, MANAGE_TRUST).then(
      (pick) => {
        if (pick === MANAGE_TRUST) void vscode.commands.executeCommand(TRUST_COMMAND);
        else finish(false);
      },
    );
  });
}

/** For a write: true when trusted; otherwise warns that Parley did not `doing` and why (with the trust button) and returns false. */
export function trustedForWrite(doing: string): boolean {
  if (trusted()) return true;
  void showWarning(
    `Parley did not ${doing}: this workspace is in Restricted Mode, and Parley writes into it only once you trust it. Trust the workspace, then try again.`,
    MANAGE_TRUST,
  ).then((pick) => {
    if (pick === MANAGE_TRUST) void vscode.commands.executeCommand(TRUST_COMMAND);
  });
  return false;
}
