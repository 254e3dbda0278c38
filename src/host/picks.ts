import * as vscode from 'vscode';
import { plainLabel } from './plainText';

// Every quick pick and input box Parley shows goes through here, so what a row or a prompt says is
// plain text on one line whatever the call site puts in it: names, rooms, topics and addresses come
// from teammates and relays, and VS Code renders `$(icon)` in quick pick rows and input box titles.
// Parley's own icons are a separate field, the only way an icon gets in. A test
// (test/unit/uiSinks.test.ts) fails on vscode.window.showQuickPick, createQuickPick,
// showInputBox or createInputBox anywhere else in src/host.

/** A row to pick. `icon` is a codicon id written in Parley's code; the rest is shown as plain text. */
export interface Choice<T> {
  icon?: string;
  label: string;
  description?: string | undefined;
  detail?: string | undefined;
  value: T;
}

/** A separator row with a heading. */
export interface Heading {
  heading: string;
}

export interface PickOptions {
  title: string;
  placeHolder?: string;
  matchOnDescription?: boolean;
  matchOnDetail?: boolean;
}

type Row<T> = Choice<T> | Heading;

/** The QuickPickItem VS Code gets for a row. */
export function quickPickItem<T>(row: Row<T>): vscode.QuickPickItem & { value?: T } {
  if ('heading' in row) return { label: plainLabel(row.heading), kind: vscode.QuickPickItemKind.Separator };
  const label = plainLabel(row.label);
  return {
    label: row.icon ? `$(${row.icon}) ${label}` : label,
    ...(row.description ? { description: plainLabel(row.description) } : {}),
    ...(row.detail ? { detail: plainLabel(row.detail) } : {}),
    value: row.value,
  };
}

/** Shows a quick pick; resolves to the picked row's value, undefined when dismissed. */
export async function pickOne<T>(rows: Row<T>[], options: PickOptions): Promise<T | undefined> {
  const picked = await vscode.window.showQuickPick(rows.map(quickPickItem), {
    ...options,
    title: plainLabel(options.title),
    ...(options.placeHolder ? { placeHolder: plainLabel(options.placeHolder) } : {}),
  });
  return picked?.value;
}

type Validation = string | vscode.InputBoxValidationMessage | undefined | null;

function cleanValidation(v: Validation): Validation {
  if (typeof v === 'string') return plainLabel(v);
  return v ? { ...v, message: plainLabel(v.message) } : v;
}

/**
 * Shows an input box. Title, prompt, placeholder and validation messages are plain labels;
 * `value` (text the user edits, not rendered) is left as it is, so an unchanged topic stays unchanged.
 */
export function askText(options: vscode.InputBoxOptions): Thenable<string | undefined> {
  const { title, prompt, placeHolder, validateInput } = options;
  return vscode.window.showInputBox({
    ...options,
    ...(title !== undefined ? { title: plainLabel(title) } : {}),
    ...(prompt !== undefined ? { prompt: plainLabel(prompt) } : {}),
    ...(placeHolder !== undefined ? { placeHolder: plainLabel(placeHolder) } : {}),
    ...(validateInput
      ? {
          validateInput: (v: string) => {
            const r = validateInput(v);
            return r && typeof r === 'object' && 'then' in r ? Promise.resolve(r).then(cleanValidation) : cleanValidation(r as Validation);
          },
        }
      : {}),
  });
}
