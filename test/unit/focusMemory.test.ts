import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FocusMemory } from '../../src/host/view/focusMemory';
import { tempDir } from '../helpers';

// One window records where the focus is; the next (after a reload) reads it from the same file.
describe('the chat focus kept across a reload', () => {
  const clock = (t: { now: number }) => () => t.now;
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);

  function reloadAfter(file: string | undefined, t: { now: number }, gapMs: number): FocusMemory {
    t.now += gapMs;
    return new FocusMemory(file, log, clock(t));
  }

  it('gives the focus back to the field that had it, once, when the view is ready soon after the reload', () => {
    const file = join(tempDir(), 'focus.json');
    const t = { now: 1_000_000 };
    const first = new FocusMemory(file, log, clock(t));
    assert.equal(first.take(), undefined, 'nothing was remembered before the first window');
    first.record('composer');
    const next = reloadAfter(file, t, 3_000);
    t.now += 2_000; // the view loads
    assert.equal(next.take(), 'composer');
    assert.equal(next.take(), undefined, 'once per window');
    for (const field of ['thread', 'search'] as const) {
      reloadAfter(file, t, 1000).record(field);
      assert.equal(reloadAfter(file, t, 1000).take(), field);
    }
  });

  it('does not when the focus had left the view before the reload, wherever it went', () => {
    const file = join(tempDir(), 'focus.json');
    const t = { now: 1_000_000 };
    const w = new FocusMemory(file, log, clock(t));
    w.record('composer');
    w.record(null); // to the editor (a click where the cursor is tells nothing) or to the palette
    assert.equal(reloadAfter(file, t, 1000).take(), undefined);
  });

  it('does not once an editor was used: before the reload (kept in the file) or after it', () => {
    const file = join(tempDir(), 'focus.json');
    const t = { now: 1_000_000 };
    const w = new FocusMemory(file, log, clock(t));
    w.record('composer');
    w.record(null);
    w.editorUsed(); // clicked into the editor and typed
    assert.equal(reloadAfter(file, t, 1000).take(), undefined, 'the editor was used before the reload');
    reloadAfter(file, t, 1000).record('composer');
    const typedInEditor = reloadAfter(file, t, 1000);
    typedInEditor.editorUsed();
    assert.equal(typedInEditor.take(), undefined, 'the keys are meant for the editor');
    reloadAfter(file, t, 1000).record('composer');
    const late = reloadAfter(file, t, 1000);
    assert.equal(late.take(), 'composer');
    assert.equal(late.usedSinceTake, false);
    late.editorUsed(); // a click while the view takes the focus
    assert.equal(late.usedSinceTake, true, 'the focus, on its way back, stays in the editor');
  });

  it("keeps nothing in a window without a folder (its storage is every such window's)", () => {
    const t = { now: 1_000_000 };
    new FocusMemory(undefined, log, clock(t)).record('composer');
    assert.equal(reloadAfter(undefined, t, 1000).take(), undefined);
  });

  it('does not when the view is slow, the focus is old, or the new view already moved it', () => {
    const file = join(tempDir(), 'focus.json');
    const t = { now: 1_000_000 };
    new FocusMemory(file, log, clock(t)).record('composer');
    const slow = reloadAfter(file, t, 1000);
    t.now += 31_000;
    assert.equal(slow.take(), undefined, 'the view came too late: the user is doing something else by now');
    new FocusMemory(file, log, clock(t)).record('composer');
    assert.equal(reloadAfter(file, t, 3 * 60_000).take(), undefined, 'VS Code started minutes later: not a reload');
    new FocusMemory(file, log, clock(t)).record('composer');
    const moved = reloadAfter(file, t, 1000);
    moved.record(null);
    assert.equal(moved.take(), undefined, 'the new view already told where the focus is');
  });

  it('keeps a long typing session fresh: typing renews the time the field was seen with the focus', () => {
    const file = join(tempDir(), 'focus.json');
    const t = { now: 1_000_000 };
    const w = new FocusMemory(file, log, clock(t));
    w.record('composer');
    for (let i = 0; i < 10; i++) {
      t.now += 30_000;
      w.typed();
    }
    assert.equal(reloadAfter(file, t, 2000).take(), 'composer', 'five minutes of typing, then a reload');
  });

  it('ignores a damaged or foreign file, and says so in the log', () => {
    const file = join(tempDir(), 'focus.json');
    const t = { now: 1_000_000 };
    for (const text of ['{not json', '{"field":"editor","at":999000}', '{"field":"composer","at":"soon"}', '{"field":"composer","at":2000000}']) {
      writeFileSync(file, text);
      assert.equal(new FocusMemory(file, log, clock(t)).take(), undefined, text);
    }
    assert.ok(lines.some((l) => /focus memory unreadable/.test(l)));
  });
});
