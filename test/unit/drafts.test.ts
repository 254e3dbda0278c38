import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DraftStore } from '../../src/host/drafts';

// Issue 13, bug 3: a draft typed just before a reload was lost (VS Code saves a webview's own
// state only now and then); the host keeps a copy in a file of its own.
describe('drafts kept by the host', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'parley-drafts-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a change to disk within its short delay, and a new store (a reloaded window) reads it back', async () => {
    const file = join(dir, 'drafts.json');
    const a = new DraftStore(file, () => undefined, 20);
    a.set('conv-1', 'half a thought', 1000);
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(new DraftStore(file, () => undefined).all(), { 'conv-1': { text: 'half a thought', at: 1000 } });
  });

  it('keeps the newer of two copies; an empty draft is kept as a tombstone so an older copy is not revived', () => {
    const file = join(dir, 'drafts.json');
    const s = new DraftStore(file, () => undefined);
    s.set('k', 'new', 2000);
    s.set('k', 'old', 1000);
    assert.equal(s.all().k.text, 'new');
    s.set('k', '', 3000);
    s.set('k', 'stale from another copy', 2500);
    assert.deepEqual(s.all().k, { text: '', at: 3000 });
    s.dispose();
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { k: { text: '', at: 3000 } });
  });

  it('starts empty from a damaged file and says so, and ignores entries of the wrong shape', () => {
    const file = join(dir, 'drafts.json');
    const lines: string[] = [];
    writeFileSync(file, '{"a": {"text": 1');
    assert.deepEqual(new DraftStore(file, (l) => lines.push(l)).all(), {});
    assert.match(lines[0], /drafts file unreadable/);
    writeFileSync(file, JSON.stringify({ a: { text: 'ok', at: 5 }, b: 'nope', c: { text: 'no time' } }));
    assert.deepEqual(new DraftStore(file, () => undefined).all(), { a: { text: 'ok', at: 5 } });
  });
});
