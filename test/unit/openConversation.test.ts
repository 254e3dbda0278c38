import * as assert from 'node:assert/strict';
import type { ConversationView, MessageView, ViewSnapshot } from '../../src/protocol/view';
import { OpenConversation } from '../../src/webview/logic/openConversation';
import { mayManage, myRole } from '../../src/webview/logic/roomPermissions';

const T0 = new Date(2026, 10, 22, 9, 0).getTime();
const msg = (seq: number, author: string, extra: Partial<MessageView> = {}): MessageView => ({
  seq,
  id: `m${seq}`,
  author,
  ts: T0 + seq * 60_000,
  body: { kind: 'text', text: `t${seq}` },
  ...extra,
});
const conv = (extra: Partial<ConversationView> = {}): ConversationView => ({
  id: 'c1',
  kind: 'room',
  title: '#dev',
  members: ['me', 'b'],
  read: 0,
  head: 0,
  unread: 0,
  lastTs: 0,
  mentions: 0,
  ...extra,
});
const seqs = (o: OpenConversation) => o.messages.map((m) => m.seq);

describe('the open conversation (webview)', () => {
  it('keeps only the answer to the page of older messages it asked for, once', () => {
    const o = new OpenConversation();
    o.open(conv({ read: 12, head: 12 }), [msg(11, 'b'), msg(12, 'b')], true);
    assert.deepEqual(o.askOlder('r1'), { before: 11 });
    assert.equal(o.askOlder('r2'), undefined, 'one page at a time');
    assert.equal(o.older('r0', [msg(1, 'b')], true), false, 'an answer to another request is dropped');
    assert.deepEqual(seqs(o), [11, 12]);
    assert.equal(o.older('r1', [msg(9, 'b'), msg(10, 'b')], false), true);
    assert.deepEqual(seqs(o), [9, 10, 11, 12]);
    assert.equal(o.more, false);
    assert.equal(o.askOlder('r3'), undefined, 'nothing older exists');
    assert.equal(o.older('r1', [msg(1, 'b')], false), false, 'the same answer twice is not merged twice');
  });

  it('asks for older messages again only after the next snapshot when a page came back empty (relay out of reach)', () => {
    const o = new OpenConversation();
    o.open(conv({ head: 30 }), [msg(21, 'b'), msg(30, 'b')], true);
    assert.deepEqual(o.askOlder('r1'), { before: 21 });
    assert.equal(o.older('r1', [], true), true);
    // Every render near the top asks; offline, each would be answered empty at once: a loop.
    assert.equal(o.askOlder('r2'), undefined, 'not again before anything changed');
    o.update([msg(30, 'b')], true);
    assert.deepEqual(o.askOlder('r3'), { before: 21 }, 'a new snapshot (e.g. connected again) lets it ask');
  });

  it('drops a pending older page when the conversation is replaced (opened again or revealed)', () => {
    const o = new OpenConversation();
    o.open(conv(), [msg(5, 'b')], true);
    o.askOlder('r1');
    o.replace([msg(20, 'b'), msg(21, 'b')], true);
    assert.equal(o.older('r1', [msg(4, 'b')], true), false);
    assert.deepEqual(o.askOlder('r2'), { before: 20 });
  });

  it('merges a newer snapshot page and names who wrote the messages it added', () => {
    const o = new OpenConversation();
    o.open(conv(), [msg(1, 'a'), msg(2, 'b')], false);
    assert.deepEqual(
      o.update([msg(2, 'b'), msg(3, 'c')], true).map((m) => m.author),
      ['c'],
    );
    assert.deepEqual(seqs(o), [1, 2, 3]);
    assert.equal(o.more, false, 'the page starts later than what is loaded: its `more` says nothing about message 1');
    assert.deepEqual(o.lastOwnText('b'), { seq: 2, text: 't2' });
    assert.equal(o.lastOwnText('z'), undefined);
  });

  it('sends the read marker once per position, never past an unseen message of the conversation for a thread', () => {
    const o = new OpenConversation();
    const c = conv({ read: 1, head: 4 });
    o.open(c, [msg(1, 'b'), msg(2, 'b'), msg(4, 'b')], false);
    const thread = [msg(2, 'b'), msg(3, 'b'), msg(5, 'b')];
    assert.equal(o.readTo(c, false, thread, 'me'), undefined, 'message 2 is unseen: the marker stays before it');
    assert.equal(o.readTo(c, true, undefined, 'me'), 4);
    assert.equal(o.readTo(c, true, undefined, 'me'), undefined, 'already sent');
    assert.equal(o.readTo(c, true, thread, 'me'), 5);
  });

  it('shows the "new" divider only for what was unread when the conversation was opened', () => {
    const o = new OpenConversation();
    o.open(conv({ read: 1, head: 2 }), [msg(1, 'b'), msg(2, 'b')], false);
    const divider = () => o.rows('me', undefined, T0).findIndex((r) => r.kind === 'new');
    assert.ok(divider() >= 0);
    o.followReadMarker(true, 'me');
    assert.ok(divider() >= 0, 'message 2 was unread at opening: the divider stays');
    const read = new OpenConversation();
    read.open(conv({ read: 2, head: 2 }), [msg(1, 'b'), msg(2, 'b')], false);
    read.update([msg(1, 'b'), msg(2, 'b'), msg(3, 'b')], false);
    read.followReadMarker(true, 'me');
    assert.equal(
      read.rows('me', undefined, T0).findIndex((r) => r.kind === 'new'),
      -1,
      'read as it arrived: not new',
    );
  });

  it('offers room changes only to those the relay lets make them', () => {
    const snap = (role: 'member' | 'admin') => ({ me: { id: 'me', name: 'me' }, members: [{ id: 'me', name: 'me', role }] }) as unknown as ViewSnapshot;
    const room = conv({ creator: 'b' });
    assert.equal(myRole(snap('admin')), 'admin');
    assert.equal(myRole(undefined), 'member');
    assert.equal(mayManage(snap('member'), room, 'pin'), false);
    assert.equal(mayManage(snap('admin'), room, 'pin'), true);
    assert.equal(mayManage(snap('member'), conv({ creator: 'me' }), 'topic'), true, 'a room’s creator manages it');
    assert.equal(mayManage(snap('member'), conv({ kind: 'dm', title: 'b' }), 'pin'), true, 'both members pin in a DM');
    assert.equal(mayManage(undefined, room, 'pin'), false);
  });
});
