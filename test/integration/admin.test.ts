import * as assert from 'node:assert/strict';
import WebSocket from 'ws';
import { RelayError } from '../../src/client/client';
import { newIdentitySecret } from '../../src/infra/identity';
import { messageViews } from '../../src/client/viewModel';
import { CloseCode } from '../../src/protocol/constants';
import type { Message } from '../../src/protocol/wire';
import { SqliteStore } from '../../src/relay/sqliteStore';
import { connect, general, makeClient, startRelay, team, waitFor, type TestClient } from '../helpers';

/** Every close a client's sockets saw: code, reason and when. */
function closeSpy(): { closes: { code: number; reason: string; at: number }[]; WebSocket: typeof WebSocket } {
  const closes: { code: number; reason: string; at: number }[] = [];
  class Spy extends WebSocket {
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'close') closes.push({ code: args[0] as number, reason: String(args[1]), at: Date.now() });
      return super.emit(event, ...args);
    }
  }
  return { closes, WebSocket: Spy };
}

/** Starts a client and resolves with the reason once it has failed for good. */
async function refusal(url: string, name: string, opts: Parameters<typeof makeClient>[2] = {}): Promise<string> {
  const c = makeClient(url, name, opts);
  const failed = new Promise<string>((resolve) => c.client.on('state', (s, d) => s === 'failed' && resolve(d ?? '')));
  c.client.start();
  const reason = await Promise.race([failed, new Promise<string>((_, reject) => setTimeout(() => reject(new Error(`${name} was not refused`)), 5000))]);
  c.close();
  return reason;
}

async function refused(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof RelayError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

/** The administration notices a client holds for a conversation. */
function notices(c: TestClient, conv: string): Message['body'][] {
  return c.client
    .messages(conv, { limit: 1000 })
    .map((m) => m.body)
    .filter((b) => b.kind === 'admin');
}

describe('team administration: roles, removing members, rotating the secret, who manages a room', () => {
  it('refuses a member every administrative act with a specific error, and changes nothing', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob, carol],
    } = await team(['alice', 'bob', 'carol']);
    const carolId = carol.client.self!.id;
    assert.equal(alice.client.roleOf(alice.client.self!.id), 'owner', 'the first member owns the team');
    assert.equal(bob.client.roleOf(bob.client.self!.id), 'member');

    await refused(bob.client.removeMember(carolId), 'forbidden', /only admins and owners can remove members/);
    await refused(bob.client.setRole(carolId, 'admin'), 'forbidden', /only owners can change roles/);
    await refused(bob.client.setRole(bob.client.self!.id, 'owner'), 'forbidden', /only owners can change roles/);
    await refused(bob.client.rotateSecret(), 'forbidden', /only admins and owners can rotate the team secret/);
    alice.client.send(room, { kind: 'text', text: 'pin me' });
    await waitFor(() => bob.client.cursor(room) === 1, 'bob has it');
    bob.client.send(room, { kind: 'topic', text: 'bob was here' });
    bob.client.send(room, { kind: 'archive', on: true });
    bob.client.send(room, { kind: 'pin', target: 1, on: true });
    await waitFor(() => bob.client.outbox().filter((e) => e.state === 'failed').length === 3, 'all three refused');
    const errors = bob.client.outbox().map((e) => e.error ?? '');
    assert.match(errors[0], /forbidden: only admins can change the topic of #general/);
    assert.match(errors[1], /forbidden: only admins can archive or unarchive #general/);
    assert.match(errors[2], /forbidden: only admins can pin or unpin messages in #general/);

    // Nothing changed: carol is in, nobody's role moved, #general is as it was, no notice stored.
    assert.equal(carol.client.state, 'connected');
    const stored = r.store.conversations().find((c) => c.id === room)!;
    assert.equal(stored.head, 1);
    assert.equal(stored.topic, 'Everyone on the team');
    assert.equal(stored.archived, undefined);
    assert.deepEqual(r.store.roles(), [{ user: alice.client.self!.id, role: 'owner' }]);
    assert.deepEqual(r.store.removedMembers(), []);
    assert.equal(r.relay.checkSecret('anything'), 'open', 'the relay still has no secret');
  });

  it('an admin removes a member: out within a second with the close code and reason, refused after, history kept and marked, a notice where they were', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const bob = await connect(r.url, 'bob');
    const spy = closeSpy();
    const mallory = await connect(r.url, 'mallory', { WebSocket: spy.WebSocket });
    const malloryId = mallory.client.self!.id;
    const room = general(alice);
    const side = await mallory.client.createRoom('side');
    await bob.client.joinRoom(side.id);
    const dm = await mallory.client.openDm(bob.client.self!.id);
    mallory.client.send(room, { kind: 'text', text: 'hello all' });
    mallory.client.send(side.id, { kind: 'text', text: 'my own room' });
    mallory.client.send(dm.id, { kind: 'text', text: 'psst' });
    await waitFor(() => mallory.client.outbox().length === 0, 'mallory sent');

    // The owner makes bob an admin: a notice in #general, and everyone sees the role.
    await alice.client.setRole(bob.client.self!.id, 'admin');
    await waitFor(() => mallory.client.roleOf(bob.client.self!.id) === 'admin', 'mallory sees bob is an admin');
    await waitFor(() => notices(mallory, room).length === 1, 'the role notice');
    assert.deepEqual(notices(mallory, room)[0], { kind: 'admin', act: 'role', user: bob.client.self!.id, role: 'admin' });

    const failed = new Promise<string>((resolve) => mallory.client.on('state', (s, d) => s === 'failed' && resolve(d ?? '')));
    const t0 = Date.now();
    const member = await bob.client.removeMember(malloryId);
    assert.equal(member.removed, true);
    const why = await failed;
    const close = spy.closes[spy.closes.length - 1];
    assert.ok(close.at - t0 < 1000, `closed after ${close.at - t0} ms`);
    assert.equal(close.code, CloseCode.removed);
    assert.match(close.reason, /removed from the team by bob/);
    assert.equal(why, 'bob removed you from the team', 'the reason her window shows');
    assert.equal(mallory.client.state, 'failed', 'and it does not retry');

    // Refused with the same key, also after a restart; her name stays reserved.
    const { key, cacheFile } = mallory;
    mallory.close();
    assert.match(await refusal(r.url, 'mallory', { key, cacheFile }), /bob removed you from this team on \d{4}-\d\d-\d\d/);
    assert.match(await refusal(r.url, 'mallory2', { key }), /removed you/, 'a new name does not help');
    assert.match(await refusal(r.url, 'mallory', { key: newIdentitySecret() }), /belongs to another member/, 'nor a new key with her name');

    // Her history stays, marked; she is out of the rooms, and a notice is in every conversation she was in.
    for (const c of [alice, bob]) {
      await waitFor(() => c.client.members().find((m) => m.id === malloryId)?.removed === true, 'marked removed');
      assert.equal(c.client.members().find((m) => m.id === malloryId)?.presence, 'offline');
    }
    await waitFor(() => notices(alice, room).length === 2, 'the removal notice in #general');
    assert.deepEqual(notices(alice, room)[1], { kind: 'admin', act: 'remove', user: malloryId });
    assert.ok(texts(alice, room).includes('hello all'), 'her message stays');
    await waitFor(() => notices(bob, side.id).length === 1 && notices(bob, dm.id).length === 1, 'notices in her room and her DM');
    assert.deepEqual(notices(bob, dm.id)[0], { kind: 'admin', act: 'remove', user: malloryId });
    const author = messageViews(bob.client, side.id).messages.find((m) => m.body.kind === 'admin')?.author;
    assert.equal(author, bob.client.self!.id, 'the notice is by the admin who acted');
    assert.ok(!alice.client.conversation(room)!.members.includes(malloryId), 'out of #general');
    assert.ok(!bob.client.conversation(side.id)!.members.includes(malloryId), 'out of her own room');
    await refused(alice.client.openDm(malloryId), 'unknown_user', /mallory was removed from the team/);
    await refused(bob.client.removeMember(malloryId), 'forbidden', /already removed/);

    await r.stop();
    const again = await startRelay({ port: r.port, dataFile: r.dataFile });
    assert.match(await refusal(again.url, 'mallory', { key }), /removed you from this team/);
    await waitFor(() => bob.client.state === 'connected', 'bob back', 10_000);
    assert.equal(bob.client.roleOf(bob.client.self!.id), 'admin', 'roles survive a restart');
  });

  it('admins cannot remove admins or owners; owners can, but the team always keeps an owner', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const bob = await connect(r.url, 'bob');
    const carol = await connect(r.url, 'carol');
    const [aliceId, bobId, carolId] = [alice, bob, carol].map((c) => c.client.self!.id);
    await alice.client.setRole(bobId, 'admin');
    await alice.client.setRole(carolId, 'admin');
    await refused(bob.client.removeMember(carolId), 'forbidden', /only an owner can remove an admin/);
    await refused(bob.client.removeMember(aliceId), 'forbidden', /only an owner can remove an owner/);
    await refused(alice.client.removeMember(aliceId), 'forbidden', /cannot remove yourself/);
    await refused(alice.client.setRole(aliceId, 'admin'), 'forbidden', /no owner left/);
    await refused(bob.client.setRole(carolId, 'member'), 'forbidden', /only owners/);
    await alice.client.setRole(carolId, 'owner');
    await alice.client.setRole(aliceId, 'member');
    await waitFor(() => bob.client.roleOf(aliceId) === 'member' && bob.client.roleOf(carolId) === 'owner', 'bob sees the hand-over');
    await carol.client.removeMember(bobId);
    await waitFor(() => bob.client.state === 'failed', 'bob is out');
    assert.deepEqual(r.store.roles(), [{ user: carolId, role: 'owner' }], 'a removed admin loses the role');
  });

  it('rotating the secret: new members need the new one, members stay in and come back with their keys', async () => {
    const seen: string[] = [];
    const r = await startRelay({ secret: 'old-secret-1234', onSecret: (s) => seen.push(s) });
    const alice = await connect(r.url, 'alice', { secret: 'old-secret-1234' });
    const bob = await connect(r.url, 'bob', { secret: 'old-secret-1234' });
    const room = general(alice);
    const bobSecrets: string[] = [];
    bob.client.on('secret', (s) => bobSecrets.push(s));
    await refused(bob.client.rotateSecret(), 'forbidden', /only admins and owners/);

    const secret = await alice.client.rotateSecret();
    assert.match(secret, /^[A-Za-z0-9_-]{24}$/);
    assert.deepEqual(seen, [secret], 'the relay passes it on (the hosting window, the CLI)');
    await waitFor(() => notices(bob, room).length === 1, 'a notice for everyone');
    assert.deepEqual(notices(bob, room)[0], { kind: 'admin', act: 'rotate' });
    assert.deepEqual(bobSecrets, [], 'a member is not sent the secret');
    assert.equal(bob.client.state, 'connected', 'members stay connected');
    const kept = r.store.setting('secret') ?? '';
    assert.ok(kept.length > 0 && !kept.includes(secret) && !kept.includes('old-secret-1234'), 'the store keeps a hash, not the secret');

    assert.match(await refusal(r.url, 'dave', { secret: 'old-secret-1234' }), /team secret/, 'the old secret lets nobody new in');
    const dave = await connect(r.url, 'dave', { secret });
    assert.equal(dave.client.state, 'connected');
    // Bob, still holding the old secret, comes back with his key.
    const { key, cacheFile } = bob;
    bob.close();
    const back = await connect(r.url, 'bob', { key, cacheFile, secret: 'old-secret-1234' });
    assert.equal(back.client.state, 'connected');

    // A restart with the secret that was rotated away (the CLI's --secret) keeps the new one.
    await r.stop();
    const again = await startRelay({ port: r.port, dataFile: r.dataFile, secret: 'old-secret-1234' });
    assert.equal(again.relay.checkSecret('old-secret-1234'), 'retired', 'known without scrypt');
    // Until someone presents the new secret the relay holds only its scrypt hash: a wrong guess
    // costs one scrypt, the same guess again none.
    let t = performance.now();
    assert.equal(again.relay.checkSecret('a wrong guess'), 'wrong');
    const first = performance.now() - t;
    t = performance.now();
    assert.equal(again.relay.checkSecret('a wrong guess'), 'wrong');
    const repeat = performance.now() - t;
    assert.ok(repeat < first / 4, `a repeated wrong secret costs no second scrypt (${first.toFixed(1)} ms, then ${repeat.toFixed(2)} ms)`);
    assert.equal(again.relay.checkSecret(secret), 'current');
    assert.match(await refusal(again.url, 'erin', { secret: 'old-secret-1234' }), /team secret/);
    const erin = await connect(again.url, 'erin', { secret });
    assert.equal(erin.client.state, 'connected');
  });

  it("a room's creator manages that room and others are refused; #general only admins", async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const bob = await connect(r.url, 'bob');
    const carol = await connect(r.url, 'carol');
    const design = await bob.client.createRoom('design');
    assert.equal(design.creator, bob.client.self!.id, 'the room says who created it');
    await carol.client.joinRoom(design.id);
    await alice.client.joinRoom(design.id);
    bob.client.send(design.id, { kind: 'text', text: 'mockups in figma' });
    bob.client.send(design.id, { kind: 'topic', text: 'Design reviews' });
    bob.client.send(design.id, { kind: 'pin', target: 1, on: true });
    await waitFor(() => bob.client.outbox().length === 0, 'the creator may');
    carol.client.send(design.id, { kind: 'topic', text: 'carol was here' });
    carol.client.send(design.id, { kind: 'archive', on: true });
    carol.client.send(design.id, { kind: 'pin', target: 1, on: false });
    await waitFor(() => carol.client.outbox().filter((e) => e.state === 'failed').length === 3, 'another member may not');
    for (const e of carol.client.outbox()) assert.match(e.error ?? '', /forbidden: only the room's creator or an admin can .* #design/);
    assert.equal(r.store.conversations().find((c) => c.id === design.id)?.topic, 'Design reviews');
    // An admin manages every room; #general only admins.
    alice.client.send(design.id, { kind: 'archive', on: true });
    await waitFor(() => carol.client.conversation(design.id)?.archived === true, 'the owner archived it');
    bob.client.send(design.id, { kind: 'archive', on: false });
    await waitFor(() => carol.client.conversation(design.id)?.archived === undefined, 'its creator unarchived it');
    const room = general(bob);
    bob.client.send(room, { kind: 'topic', text: 'bob rules' });
    await waitFor(() => bob.client.outbox().some((e) => e.state === 'failed'), 'refused in #general');
    assert.match(bob.client.outbox()[0].error ?? '', /only admins can change the topic of #general/);
    alice.client.send(room, { kind: 'topic', text: 'Release on Friday' });
    await waitFor(() => bob.client.conversation(room)?.topic === 'Release on Friday', 'an admin may');
  });

  it('--owner NAME: the named member owns the team, not the first one to join', async () => {
    const r = await startRelay({ owner: 'Carol' });
    const alice = await connect(r.url, 'alice');
    assert.equal(alice.client.roleOf(alice.client.self!.id), 'member', 'the team waits for its named owner');
    const carol = await connect(r.url, 'carol');
    assert.equal(carol.client.roleOf(carol.client.self!.id), 'owner');
    await waitFor(() => alice.client.roleOf(carol.client.self!.id) === 'owner', 'alice sees it');
    // A store from before roles: its first member becomes the owner.
    await r.stop();
    const old = new SqliteStore(r.dataFile);
    old.setRole(carol.client.self!.id, 'member');
    old.close();
    const again = await startRelay({ port: r.port, dataFile: r.dataFile });
    assert.deepEqual(again.store.roles(), [{ user: alice.client.self!.id, role: 'owner' }]);
  });
});

function texts(c: TestClient, conv: string): string[] {
  return c.client.messages(conv, { limit: 1000 }).map((m) => (m.body.kind === 'text' ? m.body.text : ''));
}
