import * as vscode from 'vscode';
import { neutralize } from './plainText';

// Every notification and dialog Parley shows goes through here, so text from a teammate, a relay
// or an error message is neutralized (see plainText.ts) whatever the call site puts in it. A test
// (test/unit/uiSinks.test.ts) fails on a vscode.window.show*Message call anywhere else in src/host.

type Options = vscode.MessageOptions;

function clean<T extends string>(text: string, options: Options | undefined, items: T[]): [string, ...(Options | T)[]] {
  const opts = options?.detail !== undefined ? { ...options, detail: neutralize(options.detail) } : options;
  return [neutralize(text), ...(opts ? [opts] : []), ...items];
}

export function showInfo<T extends string>(text: string, ...items: T[]): Thenable<T | undefined> {
  return vscode.window.showInformationMessage(...(clean(text, undefined, items) as [string, ...T[]]));
}

export function showWarning<T extends string>(text: string, ...items: T[]): Thenable<T | undefined> {
  return vscode.window.showWarningMessage(...(clean(text, undefined, items) as [string, ...T[]]));
}

export function showError<T extends string>(text: string, ...items: T[]): Thenable<T | undefined> {
  return vscode.window.showErrorMessage(...(clean(text, undefined, items) as [string, ...T[]]));
}

/** A question that waits for an answer (modal unless `options.modal` is false); `detail` is neutralized too. */
export function ask<T extends string>(level: 'info' | 'warning' | 'error', text: string, options: Options, ...items: T[]): Thenable<T | undefined> {
  const args = clean(text, { modal: true, ...options }, items) as [string, Options, ...T[]];
  if (level === 'info') return vscode.window.showInformationMessage(...args);
  if (level === 'warning') return vscode.window.showWarningMessage(...args);
  return vscode.window.showErrorMessage(...args);
}
