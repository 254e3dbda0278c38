import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { neutralize } from '../../src/host/plainText';

// VS Code renders `[label](command:…)` in notifications as a link that runs a command. Every
// notification and dialog goes through src/host/messages.ts, which neutralizes its text.
describe('text shown in VS Code notifications', () => {
  const hostDir = join(__dirname, '..', '..', '..', 'src', 'host');

  it('no code in src/host calls vscode.window.show*Message except messages.ts', () => {
    const offenders: string[] = [];
    for (const file of readdirSync(hostDir).filter((f) => f.endsWith('.ts') && f !== 'messages.ts')) {
      readFileSync(join(hostDir, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\bshow(Information|Warning|Error)Message\b/.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(offenders, [], 'use showInfo/showWarning/showError/ask from ./messages');
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
});
