import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCandidates, type CandidateIo } from '../../src/client/candidateFiles';

// Real files in a temp folder, read through node:fs/promises as VS Code's file system would.
describe('candidate files for a moved snippet', () => {
  let dir: string;
  let reading = 0;
  let mostAtOnce = 0;
  const io: CandidateIo = {
    size: async (p) => {
      const st = await stat(p);
      return st.isFile() ? st.size : undefined;
    },
    read: async (p) => {
      reading++;
      mostAtOnce = Math.max(mostAtOnce, reading);
      try {
        return await readFile(p);
      } finally {
        reading--;
      }
    },
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-candidates-'));
    mostAtOnce = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads in the given order, skipping folders, missing and oversized files', async () => {
    writeFileSync(join(dir, 'a.ts'), 'const a = 1;\n');
    writeFileSync(join(dir, 'big.ts'), 'x'.repeat(2000));
    mkdirSync(join(dir, 'folder.ts'));
    writeFileSync(join(dir, 'b.ts'), 'é — ünïcode\n');
    const paths = ['b.ts', 'missing.ts', 'big.ts', 'folder.ts', 'a.ts'].map((f) => join(dir, f));
    const got = await readCandidates(paths, io, { fileBytes: 1000, totalBytes: 10_000, parallel: 2 });
    assert.deepEqual(got, [
      { path: join(dir, 'b.ts'), text: 'é — ünïcode\n' },
      { path: join(dir, 'a.ts'), text: 'const a = 1;\n' },
    ]);
  });

  it('stops before the total passes its cap, and reads only a few files at a time', async () => {
    const paths: string[] = [];
    for (let i = 0; i < 40; i++) {
      const p = join(dir, `f${i}.ts`);
      writeFileSync(p, `${String(i).padStart(3, '0')}${'-'.repeat(97)}`);
      paths.push(p);
    }
    const got = await readCandidates(paths, io, { fileBytes: 1000, totalBytes: 1050, parallel: 4 });
    assert.deepEqual(
      got.map((c) => c.text.slice(0, 3)),
      ['000', '001', '002', '003', '004', '005', '006', '007', '008', '009'],
      'ten files of 100 bytes fit in 1050',
    );
    assert.ok(mostAtOnce <= 4 && mostAtOnce >= 2, `read ${mostAtOnce} at once`);
  });
});
