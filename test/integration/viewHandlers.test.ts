import * as assert from 'node:assert/strict';
import type { ViewHandlers } from '../../src/host/view/viewHost';
import { MENTIONS_QUERY, type HostToView } from '../../src/protocol/view';
import { team, tempDir, texts, waitFor } from '../helpers';
import { fakeSession, startView, type ViewUnderTest } from './fakeWebview';

// The host's side of the chat view, driven as the webview drives it: view messages in, what the
// fake webview receives and what the relay stored checked. A real relay on 127.0.0.1, real
// clients; only VS Code is a stand-in.

async function ready(v: ViewUnderTest): Promise<Extract<HostToView, { type: 'snapshot' }>['snapshot']> {
  await v.webview.post({ type: 'ready', v: 1 });
  return v.webview.last('snapshot')!.snapshot;
}

/** The next snapshot after `n` snapshots were received. */
function snapshotAfter(v: ViewUnderTest, n: number) {
  return waitFor(() => v.webview.of('snapshot').length > n && v.webview.last('snapshot')!.snapshot, 'a new snapshot');
}

describe('chat view handlers (host side, fake webview, real relay)', () => {
  it('posts nothing before ready; ready gets a snapshot of the team; send and edit reach the relay', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob],
    } = await team(['alice', 'bob']);
    const v = startView(fakeSession(alice), tempDir());
    await v.webview.post({ type: 'typing', conv: room });
    assert.deepEqual(v.webview.received, [], 'a view that has not posted ready gets nothing');
    const snap = await ready(v);
    assert.equal(snap.me?.name, 'alice');
    assert.equal(snap.active, room, 'the first room is shown');
    assert.deepEqual(snap.members.map((m) => m.name).sort(), ['alice', 'bob']);

    await v.webview.post({ type: 'send', conv: room, text: 'hello from the view' });
    await waitFor(() => r.store.after(room, 0, 10).length === 1, 'stored on the relay');
    await waitFor(() => texts(bob, room).includes('hello from the view'), 'bob has it');
    const seq = r.store.after(room, 0, 10)[0].seq;
    await v.webview.post({ type: 'edit', conv: room, target: seq, text: 'hello, edited' });
    await v.webview.post({ type: 'react', conv: room, target: seq, emoji: '👍', on: true });
    await waitFor(() => r.store.after(room, 0, 10).length === 3, 'edit and reaction stored');
    assert.deepEqual(
      r.store.after(room, 0, 10).map((m) => m.body.kind),
      ['text', 'edit', 'react'],
    );
    await waitFor(() => bob.client.store.message(room, seq)?.edited === 'hello, edited', 'bob sees the edit');
  });

  it('delete asks first, and sends only when the user agrees', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice']);
    const v = startView(fakeSession(alice), tempDir());
    await ready(v);
    alice.client.send(room, { kind: 'text', text: 'oops' });
    await waitFor(() => alice.client.outbox().length === 0, 'acked');
    const questions: string[] = [];
    // The user declines the first question and agrees to the second.
    const answers = [undefined, 'Delete'];
    v.stub.window.showWarningMessage = async (text: string) => (questions.push(text), answers.shift());
    await v.webview.post({ type: 'delete', conv: room, target: 1 });
    assert.equal(questions.length, 1);
    assert.equal(r.store.after(room, 0, 10).length, 1, 'declined: nothing sent');
    await v.webview.post({ type: 'delete', conv: room, target: 1 });
    await waitFor(() => r.store.after(room, 0, 10).length === 2, 'the deletion stored');
    assert.equal(r.store.after(room, 0, 10)[1].body.kind, 'delete');
  });

  it('answers search, mentions, loadOlder and openResult with the rid they came with', async () => {
    const {
      room,
      members: [alice, bob],
    } = await team(['alice', 'bob']);
    for (let i = 1; i <= 30; i++) bob.client.send(room, { kind: 'text', text: i === 3 ? 'the needle, @alice' : `hay ${i}` });
    await waitFor(() => bob.client.outbox().length === 0, 'bob acked');
    await waitFor(() => alice.client.conversation(room)?.head === 30, 'alice caught up');
    const v = startView(fakeSession(alice), tempDir());
    await ready(v);

    await v.webview.post({ type: 'search', rid: 's1', q: 'needle' });
    const results = v.webview.last('results')!;
    assert.equal(results.rid, 's1');
    assert.equal(results.q, 'needle');
    assert.deepEqual(
      results.hits.map((h) => h.seq),
      [3],
    );

    await v.webview.post({ type: 'mentions', rid: 'm1' });
    const mentions = v.webview.last('results')!;
    assert.equal(mentions.rid, 'm1');
    assert.equal(mentions.q, MENTIONS_QUERY);

    await v.webview.post({ type: 'loadOlder', rid: 'o1', conv: room, before: 10 });
    const older = v.webview.last('older')!;
    assert.equal(older.rid, 'o1');
    assert.deepEqual(
      older.messages.map((m) => m.seq),
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.equal(older.more, false);

    await v.webview.post({ type: 'openResult', rid: 'r1', conv: room, seq: 3 });
    const reveal = v.webview.last('reveal')!;
    assert.equal(reveal.rid, 'r1');
    assert.equal(reveal.seq, 3);
    assert.ok(
      reveal.messages.some((m) => m.seq === 3),
      'the result is among the messages posted',
    );
    assert.deepEqual(v.stub.executed.at(-1), ['parley.chat.focus'], 'the view is brought on screen');
  });

  it('a request without a rid is refused as malformed; a failed request is a notice naming its rid', async () => {
    const {
      members: [alice],
    } = await team(['alice']);
    const v = startView(fakeSession(alice), tempDir());
    await ready(v);
    const before = v.webview.received.length;
    await v.webview.post({ type: 'search', q: 'needle' });
    assert.equal(v.webview.received.length, before, 'no answer');
    assert.match(v.logged.at(-1)!, /^warn: ignored a malformed message from the chat view/);
    // A conversation this member is not in: the relay refuses the history page.
    await v.webview.post({ type: 'openResult', rid: 'r2', conv: 'c-nowhere', seq: 5 });
    const notice = v.webview.last('notice')!;
    assert.equal(notice.level, 'error');
    assert.equal(notice.rid, 'r2');
    assert.match(
      v.logged.find((l) => l.startsWith('error:'))!,
      /chat view request 'openResult' failed/,
    );
    await v.webview.post({ type: 'snippet', conv: 'c-nowhere', seq: 1, action: 'copy' });
    assert.deepEqual(v.webview.last('notice'), { type: 'notice', level: 'error', text: 'That snippet is not available.' });
  });

  it('select, threads and drafts change the next snapshot; typing and read follow the client', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob],
    } = await team(['alice', 'bob']);
    const dm = await alice.client.openDm(bob.client.self!.id);
    bob.client.send(room, { kind: 'text', text: 'root' });
    await waitFor(() => bob.client.outbox().length === 0, 'acked');
    bob.client.send(room, { kind: 'text', text: 'a reply', thread: 1 });
    await waitFor(() => alice.client.store.message(room, 2) !== undefined, 'alice has the reply');
    const v = startView(fakeSession(alice), tempDir());
    await ready(v);

    let n = v.webview.of('snapshot').length;
    await v.webview.post({ type: 'select', conv: dm.id });
    assert.equal((await snapshotAfter(v, n)).active, dm.id);

    n = v.webview.of('snapshot').length;
    await v.webview.post({ type: 'openThread', conv: room, root: 1 });
    const threaded = await snapshotAfter(v, n);
    assert.equal(threaded.active, room, 'opening a thread switches to its conversation');
    assert.deepEqual(
      threaded.thread?.replies.map((m) => m.body.kind === 'text' && m.body.text),
      ['a reply'],
    );

    n = v.webview.of('snapshot').length;
    await v.webview.post({ type: 'draft', key: room, text: 'half a thought', at: 1000 });
    await v.webview.post({ type: 'closeThread' });
    const closed = await snapshotAfter(v, n);
    assert.equal(closed.thread, undefined);
    assert.deepEqual(closed.drafts[room], { text: 'half a thought', at: 1000 });

    bob.client.typing(room);
    await waitFor(() => v.webview.last('typing'), 'typing reaches the view');
    assert.deepEqual(v.webview.last('typing'), { type: 'typing', conv: room, user: bob.client.self!.id });

    // A read marker counts only while the view is on screen.
    v.webview.visible = false;
    await v.webview.post({ type: 'read', conv: room, seq: 2 });
    v.webview.visible = true;
    await v.webview.post({ type: 'read', conv: room, seq: 1 });
    await waitFor(() => r.store.reads(alice.client.self!.id).get(room) === 1, 'the visible read stored');
    assert.equal(r.store.reads(alice.client.self!.id).get(room), 1, 'the hidden one was not sent');
  });

  it('copy and openDm act on VS Code and the client', async () => {
    const {
      members: [alice, bob],
    } = await team(['alice', 'bob']);
    const v = startView(fakeSession(alice), tempDir());
    await ready(v);
    await v.webview.post({ type: 'copy', text: 'some code' });
    assert.deepEqual(v.stub.clipboard, ['some code']);
    await v.webview.post({ type: 'openDm', user: bob.client.self!.id });
    assert.deepEqual(v.webview.last('focusComposer'), { type: 'focusComposer' });
    const dm = alice.client.conversations().find((c) => c.kind === 'dm');
    assert.ok(dm, 'the DM exists');
    await waitFor(() => v.webview.last('snapshot')!.snapshot.active === dm.id, 'the DM shown');
  });

  it('a handler map that misses a view message type does not compile', () => {
    // @ts-expect-error 'send' is missing: every ViewToHost type needs its handler.
    const incomplete: ViewHandlers = { ...({} as Omit<ViewHandlers, 'send'>) };
    assert.ok(incomplete);
  });
});
