import * as assert from 'node:assert/strict';
import { conversationMarkdown, loadAllHistory } from '../../src/client/exportMarkdown';
import type { CachedMessage } from '../../src/client/clientStore';
import { connect, team, waitFor } from '../helpers';

const T0 = Date.UTC(2026, 10, 30, 23, 58); // 2026-11-30 23:58 UTC
const names = new Map([
  ['u1', 'alice'],
  ['u2', 'bob'],
]);
const msg = (seq: number, author: string, ts: number, body: CachedMessage['body'], extra: Partial<CachedMessage> = {}): CachedMessage => ({
  conv: 'r1',
  seq,
  id: `m${String(seq).padStart(7, '0')}`,
  author,
  ts,
  body,
  ...extra,
});

describe('export a conversation as Markdown', () => {
  it('writes days, authors and times, edits, deletions, reactions, snippets with a fence longer than their backticks, and files', () => {
    const code = 'const s = "```";\nconsole.log(s);';
    const md = conversationMarkdown(
      [
        msg(1, 'u1', T0, { kind: 'text', text: 'first **draft**' }, { edited: 'final **draft**', reactions: [{ emoji: '👍', users: ['u2', 'u1'] }] }),
        msg(2, 'u2', T0 + 60_000, { kind: 'text', text: 'oops' }, { deleted: true }),
        msg(3, 'u2', T0 + 3 * 60_000, {
          kind: 'snippet',
          code,
          lang: 'ts',
          path: 'src/a.ts',
          lines: { start: 3, end: 4 },
          hash: 'a'.repeat(64),
          note: 'look',
          git: { remote: 'github.com/org/repo', branch: 'main', commit: 'abcdef1234567890' },
        }),
        msg(4, 'u9', T0 + 4 * 60_000, { kind: 'file', file: 'f1234567', name: 'trace.log', size: 2048, sha256: 'b'.repeat(64) }),
      ],
      { title: '#general', names, timeZone: 'UTC', now: T0 + 5 * 60_000 },
    );
    const expected = [
      '# #general',
      '',
      'Exported from Parley on 2026-12-01 at 00:03: 4 messages.',
      '',
      '## 2026-11-30',
      '',
      '**alice** · 23:58',
      '',
      'final **draft** _(edited)_',
      '',
      '👍 2 (bob, alice)',
      '',
      '**bob** · 23:59',
      '',
      '_message deleted_',
      '',
      '## 2026-12-01',
      '',
      '**bob** · 00:01',
      '',
      'Code from `src/a.ts:3-4` (github.com/org/repo · main · abcdef123456)',
      '',
      'look',
      '',
      '````ts',
      code,
      '````',
      '',
      '**unknown member** · 00:02',
      '',
      'File: **trace.log** (2.0 KB, sha256 `bbbbbbbbbbbbbbbb…`)',
      '',
    ].join('\n');
    assert.equal(md, expected);
  });

  it('pages in the whole history from the relay first, and says when it could not', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice'], { limits: { historyPage: 7 } });
    for (let i = 1; i <= 30; i++) alice.client.send(room, { kind: 'text', text: `note ${i}` });
    await waitFor(() => alice.client.outbox().length === 0, 'all acked', 10_000);
    // A newcomer's cache has only what arrived since it joined: nothing of the 30.
    const bob = await connect(r.url, 'bob');
    assert.equal(bob.client.messages(room, { limit: 1000 }).length, 0);
    assert.equal(await loadAllHistory(bob.client, room), undefined, 'complete');
    const all = bob.client.messages(room, { limit: 1000 });
    assert.deepEqual(
      all.map((m) => m.seq),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    const md = conversationMarkdown(all, { title: '#general', names: new Map(bob.client.members().map((m) => [m.id, m.name])), now: Date.now() });
    assert.match(md, /: 30 messages\./);
    assert.equal(md.match(/\*\*alice\*\* · /g)?.length, 30);
    assert.ok(md.indexOf('note 1\n') < md.indexOf('note 30\n'));

    // Offline with a partial cache: it says so instead of pretending.
    const carol = await connect(r.url, 'carol');
    await carol.client.history(room);
    await r.stop();
    await waitFor(() => carol.client.state !== 'connected', 'carol offline');
    assert.match((await loadAllHistory(carol.client, room)) ?? '', /not connected/);
  });
});
