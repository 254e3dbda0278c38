import * as assert from 'node:assert/strict';
import { applyReaction } from '../../src/client/reactions';
import type { MessageView } from '../../src/protocol/view';
import { decodeRelayFrame, Emoji, SendBody, SentEmoji } from '../../src/protocol/wire';
import { pickerChoices, useRecent, DEFAULT_EMOJI } from '../../src/webview/logic/recentEmoji';

const msg = (seq: number, body: unknown) => ({ conv: 'r1', seq, id: `m${String(seq).padStart(7, '0')}`, ts: 1, author: 'u1', body });

describe('body kinds: reactions, and kinds a client does not know', () => {
  it('keeps a message of an unknown kind as "unsupported" (its seq counts) instead of refusing the frame', () => {
    const frame = JSON.stringify([
      { t: 'msg', m: msg(1, { kind: 'poll', question: 'lunch?', options: ['a', 'b'] }) },
      {
        t: 'history',
        rid: 'r00000001',
        conv: 'r1',
        more: false,
        messages: [msg(2, { kind: 'thread.reply', text: 'x' }), msg(3, { kind: 'text', text: 'hi' })],
      },
    ]);
    const d = decodeRelayFrame(frame);
    assert.ok(d.ok, d.ok ? '' : d.message);
    if (!d.ok) return;
    const first = d.value[0];
    assert.equal(first.t, 'msg');
    if (first.t === 'msg') assert.deepEqual(first.m.body, { kind: 'unsupported', was: 'poll' });
    const hist = d.value[1];
    if (hist.t !== 'history') throw new Error('expected history');
    assert.deepEqual(
      hist.messages.map((m) => m.body.kind),
      ['unsupported', 'text'],
    );
    // A known kind that is malformed is still an error: only unknown kinds are let through.
    const bad = decodeRelayFrame(JSON.stringify([{ t: 'msg', m: msg(4, { kind: 'react', target: 1, emoji: 'no', on: true }) }]));
    assert.equal(bad.ok, false);
  });

  it('accepts emoji (with joiners, variation selectors, flags, skin tones) and refuses everything else', () => {
    for (const e of ['👍', '❤️', '👩‍💻', '🇫🇷', '👍🏽', '🎉', '✅', '🐛']) assert.ok(Emoji.safeParse(e).success, e);
    for (const e of ['', 'ok', ':+1:', '👍 ', ' 👍', '\u0000👍', '👍\n', 'x'.repeat(40) + '👍', '🎉'.repeat(17), 'lol👍', '\u202e👍'])
      assert.equal(Emoji.safeParse(e).success, false, JSON.stringify(e));
    assert.equal(SendBody.safeParse({ kind: 'unsupported', was: 'x' }).success, false, 'a client cannot send the placeholder');
    assert.equal(SendBody.safeParse({ kind: 'react', target: 1, emoji: '👍', on: true }).success, true);
    assert.equal(SendBody.safeParse({ kind: 'react', target: 1, emoji: '👍' }).success, false, 'on is required');
  });

  it('takes only one fully-qualified emoji in a sent reaction, so no look-alike makes a second 👍', () => {
    for (const e of [...DEFAULT_EMOJI, '👩‍💻', '🇵🇱', '👍🏽', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '🐦‍🔥']) assert.ok(SentEmoji.safeParse(e).success, e);
    // Each of these is drawn like 👍 or ❤️ (or like two of them) but is another string.
    const lookAlikes = [
      '👍\u200b',
      '\u200b👍',
      '👍\u2060',
      '\u3164👍',
      '👍\u3164',
      '👍\u115f',
      '👍\u0301',
      '👍\u20dd',
      '👍\ufe0e',
      '👍\ufe0f\ufe0f',
      '❤',
      '👍👍',
      '👍\u200d',
      '\u{e0041}👍',
      '👍\u00ad',
    ];
    // Keycaps (1️⃣) hold no pictograph: clients before SentEmoji could not read one, so none is sent.
    lookAlikes.push('1️⃣');
    for (const e of lookAlikes) {
      assert.equal(SentEmoji.safeParse(e).success, false, JSON.stringify(e));
      assert.equal(SendBody.safeParse({ kind: 'react', target: 1, emoji: e, on: true }).success, false, JSON.stringify(e));
      // One stored before the rule can still be taken back.
      if (Emoji.safeParse(e).success) assert.ok(SendBody.safeParse({ kind: 'react', target: 1, emoji: e, on: false }).success, JSON.stringify(e));
    }
    assert.deepEqual(useRecent(['🎉'], '👍\u0301'), ['🎉'], 'a look-alike is not offered in the picker');
    // What a relay stored before still reads: a history holding such a reaction decodes.
    const old = decodeRelayFrame(JSON.stringify([{ t: 'msg', m: msg(4, { kind: 'react', target: 1, emoji: '👍\u0301', on: true }) }]));
    assert.equal(old.ok, true);
  });

  it('takes a sent snippet only with a language id and one-line path, remote and branch', () => {
    const snippet = (over: Record<string, unknown>) => ({
      kind: 'snippet',
      code: 'x',
      lang: 'typescript',
      path: 'src/a.ts',
      lines: { start: 1, end: 1 },
      hash: 'a'.repeat(64),
      ...over,
    });
    for (const lang of ['typescript', 'objective-c', 'c++', 'csharp', 'vue.html', 'f#', '']) assert.ok(SendBody.safeParse(snippet({ lang })).success, lang);
    for (const lang of ['ts\n# injected', 'a b', '<x>', '`', '-x']) assert.equal(SendBody.safeParse(snippet({ lang })).success, false, JSON.stringify(lang));
    for (const path of ['src/a\nb.ts', 'a\u0000', 'a\u2028b', 'a\u0085b'])
      assert.equal(SendBody.safeParse(snippet({ path })).success, false, JSON.stringify(path));
    assert.equal(SendBody.safeParse(snippet({ git: { branch: 'main\n* injected' } })).success, false, 'branch');
    assert.equal(SendBody.safeParse(snippet({ git: { remote: 'x\ry' } })).success, false, 'remote');
    assert.ok(SendBody.safeParse(snippet({ path: 'docs/ünïcode file.md', git: { branch: 'feature/x-1', remote: 'git@host:team/repo.git' } })).success);
  });

  it('applies a reaction to a view: add once per member, remove, and nothing on a deleted message', () => {
    const m: MessageView = { seq: 1, id: 'm1', author: 'u1', ts: 1, body: { kind: 'text', text: 'x' } };
    applyReaction(m, 'u2', '👍', true);
    applyReaction(m, 'u2', '👍', true);
    applyReaction(m, 'u3', '👍', true);
    applyReaction(m, 'u3', '🎉', true);
    assert.deepEqual(m.reactions, [
      { emoji: '👍', users: ['u2', 'u3'] },
      { emoji: '🎉', users: ['u3'] },
    ]);
    applyReaction(m, 'u3', '🎉', false);
    applyReaction(m, 'u2', '👍', false);
    applyReaction(m, 'u3', '👍', false);
    assert.equal(m.reactions, undefined);
    const gone: MessageView = { seq: 2, id: 'm2', author: 'u1', ts: 1, body: { kind: 'deleted' }, deleted: true };
    applyReaction(gone, 'u2', '👍', true);
    assert.equal(gone.reactions, undefined);
  });

  it('offers recent emoji first, then the defaults, without repeats', () => {
    assert.deepEqual(pickerChoices([]), DEFAULT_EMOJI.slice(0, 16));
    const recent = useRecent(useRecent(useRecent([], '🐛'), '🦀'), '🐛');
    assert.deepEqual(recent, ['🐛', '🦀']);
    const choices = pickerChoices(recent);
    assert.deepEqual(choices.slice(0, 3), ['🐛', '🦀', '👍']);
    assert.equal(new Set(choices).size, choices.length);
    assert.equal(choices.length, 16);
    let many: string[] = [];
    for (const e of ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣', '6️⃣', '7️⃣', '8️⃣', '9️⃣']) many = useRecent(many, e);
    assert.equal(many.length, 8);
    assert.equal(many[0], '9️⃣');
  });
});
