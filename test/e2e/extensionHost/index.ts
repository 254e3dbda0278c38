// Entry of the mocha suite that runs inside VS Code's extension host (code-server here, or a
// desktop VS Code through @vscode/test-electron). Loads every *.test.js next to this file and,
// if PARLEY_TEST_RESULT names a file, writes the outcome there: the harness trusts that file, not
// the exit code alone, because a crashed extension host still reports success to the page.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface TestRecord {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export function run(): Promise<void> {
  const resultFile = process.env.PARLEY_TEST_RESULT;
  const tests: TestRecord[] = [];
  const write = (status: 'passed' | 'failed', error?: string): void => {
    if (!resultFile) return;
    const count = (state: TestRecord['state']): number => tests.filter((t) => t.state === state).length;
    const result = {
      status,
      passes: count('passed'),
      failures: count('failed'),
      pending: count('pending'),
      tests,
      ...(error === undefined ? {} : { error }),
    };
    fs.writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  };

  const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 30_000 });
  if (process.env.PARLEY_TEST_GREP) mocha.grep(process.env.PARLEY_TEST_GREP);
  for (const file of fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()) {
    mocha.addFile(path.join(__dirname, file));
  }

  return new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        if (failures > 0 || tests.some((t) => t.state === 'failed')) {
          write('failed');
          reject(new Error(`${failures} extension-host test(s) failed`));
        } else {
          write('passed');
          resolve();
        }
      });
      runner.on('pass', (test) => tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration }));
      runner.on('pending', (test) => tests.push({ title: test.fullTitle(), state: 'pending' }));
      runner.on('fail', (test, err: unknown) => {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        tests.push({ title: test.fullTitle(), state: 'failed', error });
      });
    } catch (err) {
      write('failed', err instanceof Error ? (err.stack ?? err.message) : String(err));
      reject(err);
    }
  });
}
