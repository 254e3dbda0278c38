import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers';

const MODULE = join(__dirname, '..', '..', 'src', 'infra', 'pidLock.js');

/**
 * Starts `n` processes that claim a slot at the same instant and stay alive (holding it) until
 * all have answered; resolves with the slots they got.
 */
async function race(dir: string, n: number): Promise<string[]> {
  const at = Date.now() + 300;
  const code = `const { claimSlot } = require(${JSON.stringify(MODULE)});
while (Date.now() < ${at}) {}
process.stdout.write(String(claimSlot(${JSON.stringify(dir)}, 'cache').slot));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));`;
  const procs = Array.from({ length: n }, () => spawn(process.execPath, ['-e', code]));
  const outputs = await Promise.all(
    procs.map(
      (p) =>
        new Promise<string>((resolve) => {
          let out = '';
          p.stdout.on('data', (d) => {
            out += d;
            resolve(out);
          });
          p.stderr.on('data', (d) => resolve(`error: ${d}`));
          p.on('exit', () => resolve(out));
        }),
    ),
  );
  await Promise.all(procs.map((p) => new Promise((r) => (p.stdin.end(), p.on('exit', r)))));
  return outputs;
}

describe('cache slots under contention', () => {
  it('never gives two windows started together the same slot, even over a stale lock', async function () {
    this.timeout(60_000);
    for (let round = 0; round < 12; round++) {
      const dir = tempDir();
      writeFileSync(join(dir, 'cache-0.lock'), '{"pid":999999}'); // left by a window that died
      const slots = await race(dir, 3);
      assert.equal(new Set(slots).size, 3, `round ${round}: ${JSON.stringify(slots)}`);
      for (const s of slots) assert.match(s, /^[0-2]$/);
    }
  });
});
