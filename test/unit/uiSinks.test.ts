import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { neutralize, plainLabel } from '../../src/host/plainText';
import { loadWith, vscodeStub } from './stubVscode';

// VS Code renders `[label](command:…)` in notifications as a link that runs a command, and
// `$(icon)` in quick pick rows, input box titles and the status bar. Every notification, dialog,
// progress notification and status bar message goes through src/host/messages.ts, every quick
// pick and input box through src/host/picks.ts; both make what they show plain text.

const hostDir = join(__dirname, '..', '..', '..', 'src', 'host');

/** `file:line: code` for each line of src/host outside `allowed` that matches `pattern` (comments skipped). */
function callsOutside(pattern: RegExp, allowed: string[]): string[] {
  const offenders: string[] = [];
  // Subfolders too (src/host/view/…): `allowed` names files at the top.
  for (const file of readdirSync(hostDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !allowed.includes(f))) {
    readFileSync(join(hostDir, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!/^\s*(\/\/|\*|\/\*)/.test(line) && pattern.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  return offenders;
}

/** What a hostile teammate or relay might call itself. */
const HOSTILE = '[CI failed](command:workbench.action.terminal.sendSequence?%7B%7D) $(sync~spin) \u202Egnp.exe\nTeam: trusted';

/** Asserts `shown` is one plain line: no link syntax, no `$(icon)`, no direction marks or line breaks. */
function assertPlainLine(shown: string | undefined, what: string): void {
  assert.equal(typeof shown, 'string', what);
  assert.ok(!/\]\(/.test(shown!), `${what}: link syntax in ${JSON.stringify(shown)}`);
  assert.ok(!/\$\(/.test(shown!), `${what}: icon syntax in ${JSON.stringify(shown)}`);
  assert.ok(!/[\n\r\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(shown!), `${what}: line break or direction mark in ${JSON.stringify(shown)}`);
}

describe('text shown in VS Code notifications', () => {
  it('no code in src/host calls vscode.window.show*Message, withProgress or setStatusBarMessage except messages.ts', () => {
    assert.deepEqual(
      callsOutside(/\b(show(Information|Warning|Error)Message|withProgress|setStatusBarMessage)\b/, ['messages.ts']),
      [],
      'use showInfo/showWarning/showError/ask/withProgressNotification/flashStatus from ./messages',
    );
  });

  it('leaves no link syntax, direction marks or controls in remote text', () => {
    const hostile = '[CI failed - open log](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22id%5Cn%22%7D "https://ci.example.com/42")';
    const shown = neutralize(`mallory: ${hostile}`);
    assert.ok(!/\]\(/.test(shown), shown);
    assert.match(shown, /^mallory: \[CI failed - open log\] \(command:/);
    assert.equal(neutralize('[x]   (https://example.invalid)'), '[x] (https://example.invalid)');
    assert.equal(neutralize('evil\u202Etxt.exe\u200b'), 'eviltxt.exe');
    assert.equal(neutralize('a\u0007b\nc'), 'a b\nc');
  });

  it("shows a button that names a teammate as one plain line, and answers with the caller's own string", async () => {
    const vscode = vscodeStub();
    let shown: string[] = [];
    vscode.window.showInformationMessage = async (...args: string[]) => {
      shown = args;
      return args[args.length - 1];
    };
    const messages = loadWith<typeof import('../../src/host/messages')>('../../src/host/messages', vscode);
    const mute = `Mute ${HOSTILE}`;
    const pick = await messages.showInfo(`${HOSTILE} muted`, 'Reply', mute);
    assert.equal(shown[1], 'Reply');
    assertPlainLine(shown[2], 'button');
    assert.ok(!/\]\(/.test(shown[0]!), shown[0]);
    assert.equal(pick, mute, 'the answer is the button as the caller wrote it');
  });

  it('neutralizes the title and messages of progress notifications and the status bar message', async () => {
    const vscode = vscodeStub();
    const seen: { title?: string; messages: string[]; status?: string } = { messages: [] };
    vscode.window.withProgress = (opts: { title: string }, task: (p: { report: (u: { message?: string }) => void }) => unknown) => {
      seen.title = opts.title;
      return task({ report: (u) => u.message !== undefined && seen.messages.push(u.message) });
    };
    vscode.window.setStatusBarMessage = (text: string) => void (seen.status = text);
    const messages = loadWith<typeof import('../../src/host/messages')>('../../src/host/messages', vscode);
    await messages.withProgressNotification(`Downloading ${HOSTILE}…`, async (report) => report({ message: HOSTILE, increment: 0 }));
    assert.ok(!/\]\(/.test(seen.title!) && !/\u202e/.test(seen.title!), seen.title);
    assert.ok(!/\]\(/.test(seen.messages[0]!), seen.messages[0]);
    messages.flashStatus('check', `Parley: sent a.ts to ${HOSTILE}`, 1);
    assert.match(seen.status!, /^\$\(check\) Parley: sent a\.ts to /);
    assertPlainLine(seen.status!.slice('$(check) '.length), 'status bar message');
  });
});

describe('text shown in quick picks, input boxes and the status bar', () => {
  it('plainLabel() makes one neutralized line in which `$(` cannot form an icon', () => {
    const shown = plainLabel(HOSTILE);
    assertPlainLine(shown, 'plainLabel');
    assert.match(shown, /^\[CI failed\] \(command:\S+ \$\u200b\(sync~spin\) gnp\.exe Team: trusted$/);
    assert.equal(plainLabel('a\tb\u2028c\r\nd'), 'a b c d');
    // neutralize() drops zero-width spaces, so a name cannot bring its own to defeat the break.
    assert.equal(plainLabel('$\u200b(alert)'), '$\u200b(alert)');
    assert.equal(plainLabel('#general'), '#general');
  });

  it('no code in src/host opens a quick pick or an input box except picks.ts', () => {
    assert.deepEqual(callsOutside(/\b(showQuickPick|createQuickPick|showInputBox|createInputBox)\b/, ['picks.ts']), [], 'use pickOne/askText from ./picks');
  });

  it('src/host makes no status bar item but statusBar.ts, and no tree items or markdown strings', () => {
    // The status bar items show describeStatus() and describeSnooze() (tested in statusBar.test.ts) and nothing else.
    assert.deepEqual(callsOutside(/\bcreateStatusBarItem\b|\.tooltip\s*=/, ['statusBar.ts']), []);
    const statusBar = readFileSync(join(hostDir, 'statusBar.ts'), 'utf8');
    const shown = ['this.item.text = s.text;', 'this.item.tooltip = s.tooltip;'];
    assert.deepEqual(statusBar.match(/\bthis\.item\.(text|tooltip)\s*=.*/g), [...shown, ...shown]);
    assert.deepEqual(statusBar.match(/const s = describe\w+\(/g), ['const s = describeStatus(', 'const s = describeSnooze(']);
    // None exist; one that shows remote text needs a helper that escapes it (MarkdownString with
    // isTrusted false, supportThemeIcons false, appendText) and an exception here.
    assert.deepEqual(callsOutside(/\b(MarkdownString|TreeItem|createTreeView|registerTreeDataProvider)\b/, []), []);
  });

  it('pickOne() shows every row as plain text, with Parley’s icon only where Parley put one', async () => {
    const vscode = vscodeStub();
    let shown:
      | { items: { label: string; description?: string; detail?: string; kind?: number; value?: unknown }[]; options: { title: string; placeHolder?: string } }
      | undefined;
    vscode.window.showQuickPick = async (items: never[], options: never) => {
      shown = { items, options };
      return shown.items[1];
    };
    const { pickOne } = loadWith<typeof import('../../src/host/picks')>('../../src/host/picks', vscode);
    const value = await pickOne(
      [{ heading: HOSTILE }, { icon: 'person', label: HOSTILE, description: HOSTILE, detail: HOSTILE, value: 'u1' }, { label: `#${HOSTILE}`, value: 'r1' }],
      { title: `Send ${HOSTILE} to…`, placeHolder: HOSTILE },
    );
    assert.equal(value, 'u1');
    const [heading, person, room] = shown!.items;
    assert.equal(heading!.kind, vscode.QuickPickItemKind.Separator);
    assertPlainLine(heading!.label, 'separator');
    assert.match(person!.label, /^\$\(person\) \[CI failed\] \(/);
    assertPlainLine(person!.label.slice('$(person) '.length), 'label');
    assertPlainLine(person!.description, 'description');
    assertPlainLine(person!.detail, 'detail');
    assertPlainLine(room!.label, 'label without an icon');
    assert.equal(room!.description, undefined);
    assertPlainLine(shown!.options.title, 'title');
    assertPlainLine(shown!.options.placeHolder, 'placeHolder');
  });

  it('askText() shows title, prompt, placeholder and validation messages as plain text, and leaves the value to edit alone', async () => {
    const vscode = vscodeStub();
    let options: { title: string; prompt: string; placeHolder: string; value: string; password?: boolean; validateInput: (v: string) => unknown } | undefined;
    vscode.window.showInputBox = async (o: never) => ((options = o), 'typed');
    const { askText } = loadWith<typeof import('../../src/host/picks')>('../../src/host/picks', vscode);
    const typed = await askText({
      title: `Topic of #${HOSTILE}`,
      prompt: HOSTILE,
      placeHolder: HOSTILE,
      value: HOSTILE,
      password: true,
      validateInput: (v) => (v === 'async' ? Promise.resolve({ message: HOSTILE, severity: 3 }) : v === 'ok' ? undefined : HOSTILE),
    });
    assert.equal(typed, 'typed');
    assertPlainLine(options!.title, 'title');
    assertPlainLine(options!.prompt, 'prompt');
    assertPlainLine(options!.placeHolder, 'placeHolder');
    assert.equal(options!.value, HOSTILE);
    assert.equal(options!.password, true);
    assertPlainLine(options!.validateInput('bad') as string, 'validation message');
    assert.equal(options!.validateInput('ok'), undefined);
    const later = (await options!.validateInput('async')) as { message: string; severity: number };
    assertPlainLine(later.message, 'async validation message');
    assert.equal(later.severity, 3);
  });

  it('the status bar shows relay and teammate text as plain lines: no icons, links or lines of its own', () => {
    const { describeStatus } = loadWith<typeof import('../../src/host/statusBar')>('../../src/host/statusBar', vscodeStub());
    for (const state of ['connected', 'reconnecting', 'failed'] as const) {
      const s = describeStatus({ state, relayUrl: `ws://x:1/${HOSTILE}`, detail: HOSTILE }, { name: HOSTILE, team: HOSTILE, unread: 2 });
      assert.match(s.text, /^\$\((comment-discussion|sync~spin|error)\) Parley( 2)?$/, s.text);
      const lines = s.tooltip.split('\n');
      // The hostile "\nTeam: trusted" stays inside its own line.
      assert.equal(lines.filter((l) => l.startsWith('Team:')).length, 1, s.tooltip);
      for (const l of lines) assertPlainLine(l, `${state} tooltip line`);
      assertPlainLine(s.label, `${state} screen reader label`);
    }
  });
});
