import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { claimSlot, tryLock } from '../../src/infra/pidLock';
import { tempDir } from '../helpers';

describe('cache slots', () => {
  it('gives a reloaded window its old slot and a second live window another', async () => {
    const dir = tempDir();
    const a = claimSlot(dir, 'team');
    assert.equal(a.slot, 0);
    assert.equal(claimSlot(dir, 'team').slot, 0, 'same process: same slot');
    // A live other process holds slot 0: we get slot 1.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      const theirs = claimSlot(dir, 'team2', other.pid!);
      assert.equal(theirs.slot, 0);
      assert.equal(claimSlot(dir, 'team2').slot, 1);
    } finally {
      other.kill();
      await new Promise((r) => other.once('exit', r));
    }
    // The other process is gone (a window reload): its slot is free again.
    const dead = claimSlot(join(dir), 'team2');
    assert.equal(dead.slot, 0);
    a.release();
  });
});

describe('host lock', () => {
  it('lets one living process host and tells others where', async () => {
    const file = join(tempDir(), 'relay', 'host.lock');
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      const theirs = tryLock(file, { port: 7421 }, other.pid!);
      assert.ok(theirs.ok);
      const mine = tryLock(file, { port: 7422 });
      assert.ok(!mine.ok);
      assert.equal(mine.holder.port, 7421);
    } finally {
      other.kill();
      await new Promise((r) => other.once('exit', r));
    }
    const after = tryLock(file, { port: 7422 });
    assert.ok(after.ok, 'a dead holder does not block');
    after.release();
    assert.ok(tryLock(file, { port: 1 }).ok);
  });
});
