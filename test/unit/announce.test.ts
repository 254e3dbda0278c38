import * as assert from 'node:assert/strict';
import type { MessageView } from '../../src/protocol/view';
import { arrivalAnnouncement } from '../../src/webview/logic/announce';
import { messageGist } from '../../src/webview/logic/messageGist';

const names: Record<string, string> = { u1: 'alice', u2: 'bob', u3: 'carol', u4: 'dora', u5: 'erin', me: 'me' };
const name = (id: string) => names[id] ?? 'someone';
let seq = 0;
const text = (author: string, t: string, extra: Partial<MessageView> = {}): MessageView => ({
  seq: ++seq,
  id: `m${seq}`,
  author,
  ts: 0,
  body: { kind: 'text', text: t },
  ...extra,
});

describe('what a screen reader is told when messages arrive', () => {
  it('reads out a few messages by author and gist, not my own', () => {
    assert.equal(arrivalAnnouncement([text('u1', 'ship it\n\non Friday'), text('me', 'ok')], 'me', name), 'alice: ship it on Friday');
    assert.equal(arrivalAnnouncement([text('u1', 'one'), text('u2', 'two')], 'me', name), 'alice: one. bob: two');
    assert.equal(arrivalAnnouncement([text('me', 'mine')], 'me', name), undefined);
    assert.equal(arrivalAnnouncement([], 'me', name), undefined);
  });

  it('says a file, a snippet and an edited text as they show', () => {
    const file: MessageView = { seq: 90, id: 'f1', author: 'u2', ts: 0, body: { kind: 'file', file: 'f', name: 'notes.txt', size: 3, sha256: 'a'.repeat(64) } };
    assert.equal(arrivalAnnouncement([file], 'me', name), 'bob: File notes.txt');
    assert.equal(messageGist(text('u1', 'old', { edited: 'new text' })), 'new text');
    assert.equal(arrivalAnnouncement([text('u1', 'gone', { deleted: true })], 'me', name), undefined);
  });

  it('cuts a long text and counts a burst instead of reading each', () => {
    const long = arrivalAnnouncement([text('u1', 'x'.repeat(500))], 'me', name) ?? '';
    assert.ok(long.length < 160 && long.endsWith('…'), long);
    const burst = ['u1', 'u2', 'u3', 'u4', 'u5', 'u1'].map((a) => text(a, 'hi'));
    assert.equal(arrivalAnnouncement(burst, 'me', name), '6 new messages from alice, bob, carol and 2 more');
  });
});
