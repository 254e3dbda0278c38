import * as assert from 'node:assert/strict';
import type { MessageView } from '../../src/protocol/view';
import { authorColors, authorColorVar, PALETTE } from '../../src/webview/logic/authorColor';
import { completeMention, mentionAt, mentionCandidates } from '../../src/webview/logic/mentionQuery';
import { buildRows, buildThreadRows, mergeOlder, mergeSnapshot, seenPositions } from '../../src/webview/logic/timeline';
import { HeightIndex, visibleRange } from '../../src/webview/logic/windowing';

const T0 = new Date(2026, 10, 22, 9, 0).getTime();
const msg = (seq: number, author: string, minutes: number, extra: Partial<MessageView> = {}): MessageView => ({
  seq,
  id: `m${seq}xxxxxxx`,
  author,
  ts: T0 + minutes * 60_000,
  body: { kind: 'text', text: `t${seq}` },
  ...extra,
});

describe('timeline rows', () => {
  it('groups runs by author within five minutes, with a day separator first', () => {
    const rows = buildRows([msg(1, 'a', 0), msg(2, 'a', 2), msg(3, 'b', 3), msg(4, 'b', 20)], { now: T0 });
    assert.deepEqual(
      rows.map((r) => (r.kind === 'msg' ? `${r.message.seq}${r.first ? '*' : ''}` : r.kind === 'day' ? `[${r.label}]` : '--new--')),
      ['[Today]', '1*', '2', '3*', '4*'],
    );
  });

  it('lays out a thread as its root, a reply count, then the replies in their own group', () => {
    const label = (rows: ReturnType<typeof buildRows>) =>
      rows.map((r) => (r.kind === 'msg' ? `${r.message.seq}${r.first ? '*' : ''}` : r.kind === 'day' ? `[${r.label}]` : '--new--'));
    assert.deepEqual(label(buildThreadRows(msg(1, 'a', 0), [msg(2, 'a', 1), msg(3, 'b', 2), msg(4, 'b', 3)], { now: T0 })), [
      '[Today]',
      '1*',
      '[3 replies]',
      '2*',
      '3*',
      '4',
    ]);
    assert.deepEqual(label(buildThreadRows(msg(1, 'a', 0), [], { now: T0 })), ['[Today]', '1*', '[No replies yet]']);
    const noRoot = label(buildThreadRows(undefined, [msg(5, 'a', 0)], { now: T0 }));
    assert.equal(noRoot[1], '[1 reply]');
    assert.match(noRoot[0], /older than this window keeps/);
  });

  it('places "seen by" at the newest message each member has read, not under their own', () => {
    const list = [msg(1, 'me', 0), msg(3, 'me', 1), msg(5, 'b', 2), msg(7, 'me', 3)];
    const at = (seen: Record<string, number>) => Object.fromEntries([...seenPositions(list, seen, 'me')].map(([id, users]) => [id, users.join(',')]));
    assert.deepEqual(at({ a: 4, c: 9 }), { m3xxxxxxx: 'a', m7xxxxxxx: 'c' }, 'a marker between messages sits at the one below it');
    assert.deepEqual(at({ b: 1 }), { m1xxxxxxx: 'b' }, 'b wrote 5 but read only to 1: writing is not reading');
    assert.deepEqual(at({ b: 6 }), {}, "b read to 6: that is at 5, b's own");
    assert.deepEqual(at({ me: 7, a: 0 }), {}, 'never my own marker; nothing below the first message');
  });

  it('separates days and labels yesterday', () => {
    const rows = buildRows([msg(1, 'a', -24 * 60), msg(2, 'a', 1)], { now: T0 });
    assert.deepEqual(
      rows.filter((r) => r.kind === 'day').map((r) => (r.kind === 'day' ? r.label : '')),
      ['Yesterday', 'Today'],
    );
    assert.equal(rows.filter((r) => r.kind === 'msg' && r.first).length, 2, 'a new day starts a new group');
  });

  it('puts the new-messages divider before the first unread message from someone else', () => {
    const rows = buildRows([msg(1, 'me', 0), msg(2, 'me', 1), msg(3, 'b', 2), msg(4, 'b', 3)], { me: 'me', newAfter: 1, now: T0 });
    const i = rows.findIndex((r) => r.kind === 'new');
    assert.equal(rows[i + 1].kind === 'msg' && rows[i + 1].key, 'm:m3xxxxxxx');
    assert.equal(rows.filter((r) => r.kind === 'new').length, 1);
  });

  it('merges older pages and fresh snapshots without duplicates or stale runs', () => {
    const loaded = [msg(5, 'a', 5), msg(6, 'a', 6)];
    assert.deepEqual(
      mergeOlder([msg(3, 'a', 3), msg(4, 'a', 4), msg(5, 'a', 5)], loaded).map((m) => m.seq),
      [3, 4, 5, 6],
    );
    assert.deepEqual(
      mergeSnapshot([msg(3, 'a', 3), msg(4, 'a', 4), msg(5, 'a', 5)], [msg(5, 'a', 5), msg(6, 'a', 6)]).map((m) => m.seq),
      [3, 4, 5, 6],
    );
    // Seqs taken by events and thread replies leave gaps in what is listed; overlap is what counts.
    assert.deepEqual(
      mergeSnapshot([msg(2, 'a', 2), msg(4, 'a', 4), msg(7, 'a', 7)], [msg(7, 'a', 7), msg(9, 'a', 9)]).map((m) => m.seq),
      [2, 4, 7, 9],
    );
    // Not contiguous (the cache was reset): only the snapshot stays.
    assert.deepEqual(
      mergeSnapshot([msg(1, 'a', 1)], [msg(5, 'a', 5)]).map((m) => m.seq),
      [5],
    );
  });
});

describe('windowing', () => {
  it('renders only the rows near the viewport of a 10,000-row list', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}`);
    const heights = new HeightIndex(() => 40);
    const offsets = heights.offsets(keys);
    assert.equal(offsets[keys.length], 400_000);
    const r = visibleRange(offsets, 200_000, 600, 400);
    assert.ok(r.end - r.start <= 40, `rendered ${r.end - r.start} rows`);
    assert.ok(r.top <= 200_000 - 400 && r.top + (r.end - r.start) * 40 >= 200_600 + 400 - 40);
    assert.equal(r.top + (r.end - r.start) * 40 + r.bottom, r.total);
  });

  it('uses measured heights once known', () => {
    const heights = new HeightIndex(() => 40);
    assert.equal(heights.set('b', 100), 60);
    assert.deepEqual(heights.offsets(['a', 'b', 'c']), [0, 40, 140, 180]);
    const r = visibleRange(heights.offsets(['a', 'b', 'c']), 0, 50, 0);
    assert.deepEqual([r.start, r.end], [0, 2]);
  });

  it('handles an empty list and a viewport past the end', () => {
    assert.deepEqual(visibleRange([0], 0, 500, 100), { start: 0, end: 0, top: 0, bottom: 0, total: 0 });
    const r = visibleRange([0, 40, 80], 5000, 500, 0);
    assert.ok(r.start <= r.end && r.end <= 2);
  });
});

describe('mention completion', () => {
  const members = [
    { id: 'u1', name: 'bob', presence: 'offline' as const },
    { id: 'u2', name: 'bobby', presence: 'online' as const },
    { id: 'u3', name: 'alice', presence: 'online' as const },
    { id: 'me', name: 'robert', presence: 'online' as const },
  ];

  it('finds the partial mention at the caret', () => {
    assert.deepEqual(mentionAt('hi @bo', 6), { start: 3, query: 'bo' });
    assert.equal(mentionAt('mail a@bo', 9), undefined, 'not inside a word');
    assert.deepEqual(mentionAt('@', 1), { start: 0, query: '' });
  });

  it('ranks prefix matches, then presence, and leaves out yourself', () => {
    assert.deepEqual(
      mentionCandidates(members, 'bo', 'me').map((m) => m.name),
      ['bobby', 'bob'],
    );
    assert.deepEqual(
      mentionCandidates(members, 'ob', 'me').map((m) => m.name),
      ['bobby', 'bob'],
    );
  });

  it('completes with a trailing space and moves the caret', () => {
    assert.deepEqual(completeMention('hi @bo there', 3, 6, 'bobby'), { text: 'hi @bobby  there', caret: 10 });
  });
});

describe('author colours', () => {
  it('are stable per user and come from theme variables', () => {
    assert.equal(authorColorVar('u_abc'), authorColorVar('u_abc'));
    assert.match(authorColorVar('u_abc'), /^--vscode-/);
    const used = new Set(Array.from({ length: 50 }, (_, i) => authorColorVar(`u${i}`)));
    assert.ok(used.size >= 6, 'users spread over the palette');
  });

  it('differ within a conversation while it has no more members than hues', () => {
    // Ids that prefer the same hue, as two of three teammates did in a real afternoon.
    const clash = Array.from({ length: 400 }, (_, i) => `u${i}`).filter((u) => authorColorVar(u) === authorColorVar('u0'));
    assert.ok(clash.length >= 7, 'enough ids that prefer one hue');
    for (let n = 2; n <= PALETTE.length; n++) {
      const members = clash.slice(0, n);
      const colour = authorColors(members);
      assert.equal(new Set(members.map(colour)).size, n, `${n} members, ${n} colours`);
    }
    const nine = authorColors(clash.slice(0, 9));
    assert.equal(new Set(clash.slice(0, 9).map(nine)).size, PALETTE.length, 'more members than hues: every hue is used');
  });

  it("keep a member's colour when others join after them, and give the unlisted their own hue", () => {
    const clash = Array.from({ length: 400 }, (_, i) => `u${i}`).filter((u) => authorColorVar(u) === authorColorVar('u0'));
    const before = authorColors(clash.slice(0, 3));
    const was = clash.slice(0, 3).map(before);
    const after = authorColors([...clash.slice(0, 3), 'newcomer', clash[3]]);
    assert.deepEqual(clash.slice(0, 3).map(after), was);
    assert.equal(after(clash[0]), authorColorVar(clash[0]), 'the first keeps the hue they prefer');
    assert.equal(after('gone-member'), authorColorVar('gone-member'));
    assert.equal(authorColors(['a', 'a', 'b'])('a'), authorColorVar('a'), 'a member listed twice takes one hue');
  });
});
