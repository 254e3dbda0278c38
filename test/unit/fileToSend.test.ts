import * as assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers';
import { loadWith, vscodeStub } from './stubVscode';

// What a file to send may be (Send File to…, a drag from the Explorer), on real files: the stand-in
// for VS Code's file system answers stat as VS Code's disk provider does (a device is no File).
describe('a file read to be sent', () => {
  const { readFileToSend } = loadWith<typeof import('../../src/host/fileToSend')>('../../src/host/fileToSend', vscodeStub());
  const file = (p: string) => ({ scheme: 'file', path: p, fsPath: p }) as never;

  it('reads a regular file, whole', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.md'), '# notes\n');
    const f = await readFileToSend(file(join(dir, 'notes.md')), 1024);
    assert.equal(f.name, 'notes.md');
    assert.equal(Buffer.from(f.bytes).toString(), '# notes\n');
  });

  it('refuses a folder, a device behind a link (reading /dev/zero would not end), a file over the limit and a non-file, each saying why', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    symlinkSync('/dev/zero', join(dir, 'logo.png'));
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(2048));
    await assert.rejects(readFileToSend(file(join(dir, 'src')), 1024), /src is a folder: Parley sends files, not folders/);
    await assert.rejects(readFileToSend(file(join(dir, 'logo.png')), 1024), /logo\.png is not a regular file/);
    await assert.rejects(readFileToSend(file(join(dir, 'big.bin')), 1024), /big\.bin is 2(\.0)? KB; files up to 1(\.0)? KB can be sent/);
    await assert.rejects(
      readFileToSend({ scheme: 'https', path: '/x/secret.txt' } as never, 1024),
      /secret\.txt is not a file of this workspace or computer \(https:\)/,
    );
  });
});
