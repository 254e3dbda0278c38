import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ViewToHost } from '../../src/protocol/view';
import { ViewPlaceStore } from '../../src/host/view/viewPlace';

// Issue 19 (scroll kept): after a reload the view came back at the bottom, or at an older place,
// when VS Code had not yet written the webview's own state (code-server does not on unload).
describe('where the chat view was, kept by the host', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'parley-place-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const spot = { conv: 'rGeneral', key: 'm:abc', offset: -14.5 };

  it('writes each change at once, and a new store (a reloaded window) reads it back', () => {
    const file = join(dir, 'ws', 'place.json');
    new ViewPlaceStore(file, () => undefined).set({ screen: 'chat', scroll: spot, at: 1000 });
    assert.deepEqual(new ViewPlaceStore(file, () => undefined).get(), { screen: 'chat', scroll: spot, at: 1000 });
  });

  it('keeps the newer of two reports (posts that cross), and a place at the bottom drops the scroll', () => {
    const file = join(dir, 'place.json');
    const s = new ViewPlaceStore(file, () => undefined);
    s.set({ screen: 'chat', scroll: spot, at: 2000 });
    s.set({ screen: 'list', at: 1500 });
    assert.deepEqual(s.get(), { screen: 'chat', scroll: spot, at: 2000 });
    s.set({ screen: 'chat', at: 2500 });
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { screen: 'chat', at: 2500 });
  });

  it('ignores a damaged or foreign file and says so; no file at all is said nothing about', () => {
    const lines: string[] = [];
    assert.equal(new ViewPlaceStore(join(dir, 'none.json'), (l) => lines.push(l)).get(), undefined);
    assert.equal(lines.length, 0);
    const file = join(dir, 'place.json');
    writeFileSync(file, '{"screen": "chat", "at": 1');
    assert.equal(new ViewPlaceStore(file, (l) => lines.push(l)).get(), undefined);
    assert.match(lines[0], /where the chat view was is unreadable, ignored/);
    writeFileSync(file, JSON.stringify({ screen: 'chat', at: 5, scroll: { conv: '', key: 'm:x', offset: 0 } }));
    assert.equal(new ViewPlaceStore(file, (l) => lines.push(l)).get(), undefined);
    assert.match(lines[1], /where the chat view was is damaged, ignored/);
  });

  it('keeps the place in memory when the file cannot be written, and says so once', () => {
    // Its folder is a file: no write can succeed, not even as root.
    const notADir = join(dir, 'storage');
    writeFileSync(notADir, 'a file');
    const lines: string[] = [];
    const s = new ViewPlaceStore(join(notADir, 'place.json'), (l) => lines.push(l));
    s.set({ screen: 'chat', at: 1 });
    s.set({ screen: 'list', at: 2 });
    assert.deepEqual(s.get(), { screen: 'list', at: 2 });
    assert.equal(lines.filter((l) => /could not keep where the chat view was/.test(l)).length, 1, lines.join('\n'));
  });

  it('a window without a folder keeps nothing on disk (its storage is shared with every such window)', () => {
    const s = new ViewPlaceStore(undefined, () => undefined);
    s.set({ screen: 'chat', scroll: spot, at: 1 });
    assert.deepEqual(s.get(), { screen: 'chat', scroll: spot, at: 1 });
  });

  it("the view's message is checked: a place out of bounds is refused before it reaches the store", () => {
    const ok = ViewToHost.safeParse({ type: 'place', place: { screen: 'chat', scroll: spot, at: 3 } });
    assert.ok(ok.success);
    for (const place of [
      { screen: 'thread', at: 3 },
      { screen: 'chat', at: -1 },
      { screen: 'chat', at: 3, scroll: { conv: 'c', key: 'k'.repeat(201), offset: 0 } },
      { screen: 'chat', at: 3, scroll: { conv: 'c', key: 'k', offset: Number.POSITIVE_INFINITY } },
    ])
      assert.equal(ViewToHost.safeParse({ type: 'place', place }).success, false, JSON.stringify(place));
  });
});
