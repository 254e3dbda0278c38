import * as vscode from 'vscode';
import { neutralize, plainLabel } from './plainText';

// Every notification and dialog Parley shows goes through here, so text from a teammate, a relay
// or an error message is neutralized (see plainText.ts) whatever the call site puts in it. That
// includes progress notifications (VS Code renders links in their title and message as in any
// notification) and status bar messages (which render `$(icon)`). A test
// (test/unit/uiSinks.test.ts) fails on vscode.window.show*Message, withProgress or
// setStatusBarMessage anywhere else in src/host.

type Options = vscode.MessageOptions;

/**
 * Shows a notification or dialog with `text`, `options.detail` and each button neutralized (a
 * button can name a teammate or a room: "Mute alice"); answers with the button picked as the
 * caller wrote it, so call sites compare with their own strings.
 */
function show<T extends string>(level: 'info' | 'warning' | 'error', text: string, options: Options | undefined, items: T[]): Thenable<T | undefined> {
  const opts = options?.detail !== undefined ? { ...options, detail: neutralize(options.detail) } : options;
  const labels = items.map((i) => plainLabel(i));
  const args = [neutralize(text), ...(opts ? [opts] : []), ...labels] as [string, ...string[]];
  const shown =
    level === 'info'
      ? vscode.window.showInformationMessage(...args)
      : level === 'warning'
        ? vscode.window.showWarningMessage(...args)
        : vscode.window.showErrorMessage(...args);
  return shown.then((pick) => (pick === undefined ? undefined : items[labels.indexOf(pick)]));
}

export function showInfo<T extends string>(text: string, ...items: T[]): Thenable<T | undefined> {
  return show('info', text, undefined, items);
}

export function showWarning<T extends string>(text: string, ...items: T[]): Thenable<T | undefined> {
  return show('warning', text, undefined, items);
}

export function showError<T extends string>(text: string, ...items: T[]): Thenable<T | undefined> {
  return show('error', text, undefined, items);
}

/** A question that waits for an answer (modal unless `options.modal` is false); `detail` is neutralized too. */
export function ask<T extends string>(level: 'info' | 'warning' | 'error', text: string, options: Options, ...items: T[]): Thenable<T | undefined> {
  return show(level, text, { modal: true, ...options }, items);
}

/** A progress notification; its title and every message reported are neutralized. */
export function withProgressNotification<R>(
  title: string,
  task: (report: (update: { message?: string; increment?: number }) => void) => Thenable<R>,
): Thenable<R> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: neutralize(title), cancellable: false }, (progress) =>
    task(({ message, increment }) =>
      progress.report({ ...(message !== undefined ? { message: neutralize(message) } : {}), ...(increment !== undefined ? { increment } : {}) }),
    ),
  );
}

/** A status bar message for a few seconds: Parley's `icon`, then `text` as a plain label. */
export function flashStatus(icon: string, text: string, ms: number): void {
  vscode.window.setStatusBarMessage(`$(${icon}) ${plainLabel(text)}`, ms);
}

/** Runs `fn`; a failure is logged and shown as an error notification (what a command does with one). */
export async function reportingFailure<R>(log: vscode.LogOutputChannel, what: string, fn: () => R | Thenable<R>): Promise<R | undefined> {
  try {
    return await fn();
  } catch (err) {
    log.error(`${what}: ${(err as Error).stack ?? err}`);
    void showError(`Parley: ${(err as Error).message}`);
    return undefined;
  }
}
