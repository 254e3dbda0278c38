import * as assert from 'node:assert/strict';
import type { MessageView } from '../../src/protocol/view';
import { checkJoin, nameProblem } from '../../src/protocol/joinForm';
import { avatarLabels } from '../../src/webview/logic/avatars';
import { isTall, mayBeTall } from '../../src/webview/logic/collapse';
import { canOpenFile, isTextFile } from '../../src/webview/logic/fileKinds';
import { joinError } from '../../src/webview/logic/joinErrors';
import { jumpLabel, lastVisibleIndex, newBelow } from '../../src/webview/logic/jumpLatest';
import { lineRange, snippetWhere } from '../../src/webview/logic/snippetCard';
import { buildRows, type Row } from '../../src/webview/logic/timeline';

const T0 = new Date(2026, 10, 22, 9, 0).getTime();
const msg = (seq: number, author: string): MessageView => ({
  seq,
  id: `m${seq}xxxxxxx`,
  author,
  ts: T0 + seq * 60_000,
  body: { kind: 'text', text: `t${seq}` },
});

describe('the "new messages" button', () => {
  const rows = buildRows([msg(1, 'a'), msg(2, 'b'), msg(3, 'me'), msg(4, 'b'), msg(5, 'a')], { now: T0 });
  const own = (r: Row) => r.kind === 'msg' && r.message.author === 'me';

  it('counts messages below the furthest row seen, not my own nor separators', () => {
    // rows: [day, 1, 2, 3, 4, 5]
    assert.equal(newBelow(rows, 2, own), 2); // seen up to message 2: 4 and 5 are new, 3 is mine
    assert.equal(newBelow(rows, 5, own), 0);
    assert.equal(newBelow(rows, -1, own), 4);
  });

  it('finds the last row on screen from the row offsets', () => {
    const offsets = [0, 30, 80, 130, 180, 230, 280];
    assert.equal(lastVisibleIndex(offsets, 0, 100), 2);
    assert.equal(lastVisibleIndex(offsets, 150, 100), 5); // row 5 starts at 230, above 250
    assert.equal(lastVisibleIndex(offsets, 150, 80), 4);
    assert.equal(lastVisibleIndex(offsets, 0, 1000), 5);
    assert.equal(lastVisibleIndex([0], 0, 100), -1);
  });

  it('says how many are new, or "Jump to latest" when far up; nothing while following', () => {
    assert.deepEqual(jumpLabel(false, 3, 100, 500), { text: '3 new messages', label: '3 new messages: jump to the latest' });
    assert.equal(jumpLabel(false, 1, 100, 500)?.text, '1 new message');
    assert.equal(jumpLabel(false, 0, 2000, 500)?.text, 'Jump to latest');
    assert.equal(jumpLabel(false, 0, 100, 500), undefined);
    assert.equal(jumpLabel(true, 5, 2000, 500), undefined);
    assert.equal(jumpLabel(false, 250, 0, 500)?.text, '99+ new messages');
  });
});

describe('long messages', () => {
  it('measures only texts that may pass about twelve lines', () => {
    assert.equal(mayBeTall('short'), false);
    assert.equal(mayBeTall(Array.from({ length: 12 }, () => 'x').join('\n')), false);
    assert.equal(mayBeTall(Array.from({ length: 60 }, (_, i) => `line ${i}`).join('\n')), true);
    assert.equal(mayBeTall('word '.repeat(200)), true); // one long paragraph wraps to many lines
  });

  it('collapses only when that saves a useful height', () => {
    assert.equal(isTall(250), false);
    assert.equal(isTall(290), false);
    assert.equal(isTall(400), true);
  });
});

describe('snippet card text', () => {
  it('writes line ranges with an en dash, as the pick and toast do', () => {
    assert.equal(lineRange(12, 20), '12–20');
    assert.equal(lineRange(7, 7), '7');
    assert.equal(snippetWhere('src/math.ts', { start: 5, end: 7 }), 'src/math.ts:5–7');
    assert.equal(snippetWhere(undefined, { start: 5, end: 7 }), 'lines 5–7');
    assert.equal(snippetWhere(undefined, { start: 3, end: 3 }), 'line 3');
  });
});

describe('files that open in an editor', () => {
  it('knows text by media type', () => {
    for (const mime of [
      'text/plain',
      'text/markdown; charset=utf-8',
      'application/json',
      'application/xml',
      'application/yaml',
      'application/javascript',
      'application/typescript',
      'application/vnd.api+json',
      'image/svg+xml',
    ]) {
      assert.equal(isTextFile('x', mime), true, mime);
    }
    for (const mime of ['image/png', 'application/pdf', 'application/zip', 'application/octet-stream']) assert.equal(isTextFile('x', mime), false, mime);
  });

  it('knows text by name when the type says nothing (or says video/mp2t for .ts)', () => {
    assert.equal(isTextFile('notes.txt', 'application/octet-stream'), true);
    assert.equal(isTextFile('src/app.ts', 'video/mp2t'), true);
    assert.equal(isTextFile('Dockerfile'), true);
    assert.equal(isTextFile('.gitignore'), true);
    assert.equal(isTextFile('photo.PNG'), false);
    assert.equal(isTextFile('archive.tar.gz'), false);
    assert.equal(isTextFile('noextension'), false);
  });

  it('offers Open for text up to 1 MB only', () => {
    assert.equal(canOpenFile('notes.txt', 'text/plain', 1024 * 1024), true);
    assert.equal(canOpenFile('notes.txt', 'text/plain', 1024 * 1024 + 1), false);
    assert.equal(canOpenFile('photo.png', 'image/png', 10), false);
  });
});

describe('avatar labels', () => {
  it('gives people sharing an initial different two-letter labels', () => {
    assert.deepEqual(avatarLabels(['carol', 'carole', 'carol-b']), ['Ca', 'Ce', 'Cb']);
    assert.deepEqual(avatarLabels(['bob', 'alice']), ['Bo', 'Al']);
    assert.deepEqual(avatarLabels(['ada.lovelace', 'ada']), ['Al', 'Ad']);
  });

  it('picks the letter that tells them apart', () => {
    assert.deepEqual(avatarLabels(['carl', 'carol']), ['Ca', 'Co']);
    assert.deepEqual(avatarLabels(['ann', 'anna', 'annabel']), ['An', 'Aa', 'Ab']);
  });

  it('is unique among the names given, whatever they are', () => {
    const cases = [
      ['bob', 'bob'],
      ['x', 'x', 'x'],
      ['!!', '??', 'a'],
      ['Émile', 'emma', 'Emil'],
      ['carol', 'carole', 'carol-b', 'carolb', 'ca', 'c', 'c1', 'c2'],
      ['李雷', '李四', '李'],
    ];
    for (const names of cases) {
      const labels = avatarLabels(names);
      assert.equal(new Set(labels.map((l) => l.toLowerCase())).size, names.length, `${names.join(',')} → ${labels.join(',')}`);
      for (const l of labels) assert.ok(l.length >= 1 && Array.from(l).length <= 3, l);
    }
  });

  it('keeps one letter for one-letter names and "?" for names without letters', () => {
    assert.deepEqual(avatarLabels(['x']), ['X']);
    assert.deepEqual(avatarLabels(['--']), ['?']);
  });
});

describe('join form errors', () => {
  it('says which characters a name may not use', () => {
    assert.equal(nameProblem('ada lovelace!'), 'Names may use letters, digits, . _ -; not " " or "!"');
    assert.equal(nameProblem('a/b'), 'Names may use letters, digits, . _ -; not "/"');
    assert.equal(nameProblem('a\tb'), 'Names may use letters, digits, . _ -; not U+0009');
    assert.equal(nameProblem('.ada'), 'Start the name with a letter or digit, not "."');
    assert.equal(nameProblem('a'.repeat(33)), 'Names have at most 32 characters; this one has 33');
    assert.equal(nameProblem('José_1'), undefined);
    assert.equal(nameProblem(''), 'Enter a display name');
    const r = checkJoin('ws://x', 'ada!', '');
    assert.deepEqual(r, { ok: false, field: 'name', message: 'Names may use letters, digits, . _ -; not "!"' });
  });

  it('puts a refusal under the field it concerns, with what to do next', () => {
    const taken = joinError({ state: 'failed', detail: 'the name alice belongs to another member' });
    assert.equal(taken?.field, 'name');
    assert.match(taken?.message ?? '', /“alice” is taken/);
    assert.match(taken?.message ?? '', /Choose another name/);
    assert.match(
      taken?.message ?? '',
      /add this one as a device: run "Parley: Add a Device…" where you are signed in, then "Parley: Sign In with a Device Code…" here/,
    );
    assert.equal(joinError({ state: 'failed', detail: 'wrong or missing team secret' })?.field, 'secret');
    assert.equal(joinError({ state: 'failed', detail: 'bad name: letters, digits, . _ - and starting with a letter or digit' })?.field, 'name');
    assert.equal(joinError({ state: 'failed', detail: 'bad relay address ws://x: Invalid URL' })?.field, 'relayUrl');
    assert.equal(joinError({ state: 'failed', detail: "the relay's certificate changed: expected …" })?.field, 'relayUrl');
    const unreachable = joinError({ state: 'reconnecting', detail: 'retrying in 2.5 s', relayUrl: 'ws://10.0.0.9:7420' });
    assert.equal(unreachable?.field, 'relayUrl');
    assert.match(unreachable?.message ?? '', /^Cannot reach ws:\/\/10\.0\.0\.9:7420 \(retrying in 2\.5 s\)/);
    assert.equal(joinError({ state: 'connecting' }), undefined);
    assert.equal(joinError({ state: 'signedOut' }), undefined);
  });
});
