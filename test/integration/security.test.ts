import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import { newIdentitySecret } from '../../src/infra/identity';
import { connect, general, makeClient, rawSignIn, RawClient, signedHello, startRelay, texts, waitFor } from '../helpers';

describe('refusals: each with its code, closing only the offending connection', () => {
  it('refuses a name owned by another identity, and lets the owner in from several windows', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const impostor = makeClient(r.url, 'Alice');
    const failed = new Promise<string>((resolve) => impostor.client.on('state', (s, d) => s === 'failed' && resolve(d ?? '')));
    impostor.client.start();
    assert.match(await failed, /belongs to another member/);
    const raw = await RawClient.open(r.url);
    await raw.signIn(r.url, 'ALICE');
    assert.equal((await raw.next('error')).code, 'name_taken');
    assert.equal(await raw.closed(), 4003);
    // The real alice is unaffected and can open a second window.
    const second = await connect(r.url, 'alice', { key: alice.key });
    assert.equal(second.client.self!.id, alice.client.self!.id);
    alice.client.send(general(alice), { kind: 'text', text: 'still here' });
    await waitFor(() => texts(second, general(second)).length === 1, 'second window gets it');
  });

  it('never lets a client post under another name or forge author and seq', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const mallory = await RawClient.hello(r.url, 'mallory');
    const room = general(alice);
    mallory.send({ t: 'send', id: 'forged-message-1', conv: room, body: { kind: 'text', text: 'hi' }, author: alice.client.self!.id, seq: 99 });
    await mallory.next('ack');
    await waitFor(() => texts(alice, room).length === 1, 'alice gets it');
    const m = alice.client.messages(room)[0];
    assert.equal(m.author, mallory.welcome().you.id);
    assert.equal(m.seq, 1);
  });

  it('closes on oversized frames with 1009 and keeps serving others', async () => {
    const r = await startRelay({ limits: { maxFrameBytes: 64 * 1024 } });
    const alice = await connect(r.url, 'alice');
    const bob = await connect(r.url, 'bob');
    const raw = await RawClient.hello(r.url, 'mallory');
    raw.send({ t: 'send', id: 'big-message-1', conv: general(alice), body: { kind: 'text', text: 'x'.repeat(100 * 1024) } });
    assert.equal(await raw.closed(), 1009);
    alice.client.send(general(alice), { kind: 'text', text: 'after the attack' });
    await waitFor(() => texts(bob, general(bob)).includes('after the attack'), 'others still served');
  });

  it('answers malformed JSON, wrong types, __proto__ keys and frames before hello with bad_frame / handshake_required', async () => {
    const r = await startRelay();
    const bob = await connect(r.url, 'bob');

    const early = await RawClient.open(r.url);
    early.send({ t: 'send', id: 'early-message', conv: general(bob), body: { kind: 'text', text: 'x' } });
    assert.equal((await early.next('error')).code, 'handshake_required');
    assert.equal(await early.closed(), 4002);

    const cases: unknown[] = [
      '{"t":"send",',
      '[1,2,3]',
      '"just a string"',
      { t: 'send', id: 42, conv: 42, body: { kind: 'text', text: 'x' } },
      '{"t":"send","id":"bad id with spaces","conv":"x","body":' + '['.repeat(5000) + ']'.repeat(5000) + '}',
    ];
    for (const [i, c] of cases.entries()) {
      const raw = await RawClient.hello(r.url, 'mallory' + Math.floor(Math.random() * 1e6));
      raw.send(typeof c === 'string' ? c : JSON.stringify(c));
      const err = await raw.next('error');
      assert.equal(err.code, 'bad_frame', `case ${i}: ${String(err.message)}`);
      assert.equal(await raw.closed(), 4002);
    }
    // A frame of a known type with a well-formed id or rid is refused by name, and only it.
    const named = await RawClient.hello(r.url, 'named');
    named.send({ t: 'send', id: 'wrong-types-1', conv: 42, body: { kind: 'text', text: 'x' } });
    named.send('{"t":"send","id":"deep-nest-01","conv":"x","body":' + '['.repeat(5000) + ']'.repeat(5000) + '}');
    named.send({ t: 'history', rid: 'h-bad-limit', conv: general(bob), limit: -3 });
    for (const ref of ['wrong-types-1', 'deep-nest-01', 'h-bad-limit']) assert.equal((await named.next('error', (e) => e.ref === ref)).code, 'bad_frame', ref);
    named.send({ t: 'send', id: 'after-the-bad', conv: general(bob), body: { kind: 'text', text: 'fine' } });
    await named.next('ack', (e) => e.id === 'after-the-bad');
    assert.equal(named.closeCode, undefined, 'still open');
    // Extra keys, __proto__ among them, are dropped by validation: stored without them, nothing polluted.
    const raw = await RawClient.hello(r.url, 'protokeys');
    raw.send(
      '{"t":"send","id":"proto-key-001","conv":"' +
        general(bob) +
        '","__proto__":{"polluted":1},"body":{"kind":"text","text":"x","__proto__":{"admin":true},"constructor":{"prototype":{"polluted":1}}}}',
    );
    await raw.next('ack');
    const stored = r.store.after(general(bob), 0, 10).find((m) => m.id === 'proto-key-001')!;
    assert.deepEqual(Object.keys(stored.body), ['kind', 'text']);
    // A `__proto__` cursor is no conversation id: refused by name like any other, the connection open.
    raw.send('{"t":"sync","rid":"proto1","cursors":{"__proto__":5,"constructor":7}}');
    const proto = await raw.next('error', (e) => e.ref === 'proto1');
    assert.equal(proto.code, 'bad_frame');
    assert.match(String(proto.message), /"__proto__" is not a conversation id/);
    raw.send('{"t":"sync","rid":"proto2","cursors":{"constructor":7}}');
    await raw.next('synced', (e) => e.rid === 'proto2');
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
    assert.equal(({} as Record<string, unknown>).admin, undefined, 'no prototype pollution');
    // The relay still serves bob.
    bob.client.send(general(bob), { kind: 'text', text: 'fine' });
    await waitFor(() => texts(bob, general(bob)).includes('fine'), 'still served');
  });

  it('answers unknown types, unknown conversations and non-membership without closing', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const room = await alice.client.createRoom('private-ish');
    const raw = await RawClient.hello(r.url, 'mallory');
    raw.send({ t: 'teleport', where: 'mars' });
    assert.equal((await raw.next('error')).code, 'unknown_type');
    raw.send({ t: 'send', id: 'unknown-conv-1', conv: 'rNOPE', body: { kind: 'text', text: 'x' } });
    assert.equal((await raw.next('error', (e) => e.ref === 'unknown-conv-1')).code, 'unknown_conversation');
    raw.send({ t: 'send', id: 'not-member-01', conv: room.id, body: { kind: 'text', text: 'x' } });
    assert.equal((await raw.next('error', (e) => e.ref === 'not-member-01')).code, 'not_member');
    raw.send({ t: 'history', rid: 'h1', conv: room.id });
    assert.equal((await raw.next('error', (e) => e.ref === 'h1')).code, 'not_member');
    // A direct message between two others is answered exactly as a conversation that does not exist.
    const bob = await connect(r.url, 'bob');
    const dm = await alice.client.openDm(bob.client.self!.id);
    const asked = async (conv: string, n: number) => {
      raw.send({ t: 'history', rid: `hd${n}`, conv });
      raw.send({ t: 'send', id: `dm-probe-${n}-x`, conv, body: { kind: 'text', text: 'x' } });
      raw.send({ t: 'search', rid: `sd${n}`, q: 'x', conv });
      const answers = [
        await raw.next('error', (e) => e.ref === `hd${n}`),
        await raw.next('error', (e) => e.ref === `dm-probe-${n}-x`),
        await raw.next('error', (e) => e.ref === `sd${n}`),
      ];
      return answers.map((e) => `${String(e.code)}: ${String(e.message).replace(conv, '<conv>')}`);
    };
    const made = 'd' + dm.id.slice(1).split('').reverse().join('');
    assert.deepEqual(await asked(dm.id, 1), await asked(made, 2));
    assert.match((await asked(dm.id, 3))[0], /^unknown_conversation/);
    raw.send(signedHello(newIdentitySecret(), 'n'.repeat(43), r.url, 'mallory'));
    assert.equal((await raw.next('error', (e) => e.code === 'already_handshaken')).code, 'already_handshaken');
    assert.equal(raw.closeCode, undefined, 'still open');
  });

  it("refuses a snippet whose hash is not its code's, or whose language or path would break a line, by name", async () => {
    const r = await startRelay();
    const bob = await connect(r.url, 'bob');
    const raw = await RawClient.hello(r.url, 'mallory');
    const code = 'function discount() {\n  return 0;\n}';
    const hash = createHash('sha256').update(code).digest('hex');
    const snippet = (id: string, over: Record<string, unknown>) =>
      raw.send({
        t: 'send',
        id,
        conv: general(bob),
        body: { kind: 'snippet', code, lang: 'typescript', path: 'src/orders.ts', lines: { start: 12, end: 14 }, hash, ...over },
      });
    snippet('snip-wrong-hash', { hash: createHash('sha256').update('something else').digest('hex') });
    snippet('snip-bad-lang-1', { lang: 'ts\n```\n[x](command:y)' });
    snippet('snip-bad-path-1', { path: 'src/orders.ts\nCode from `elsewhere`' });
    assert.equal((await raw.next('error', (e) => e.ref === 'snip-wrong-hash')).code, 'hash_mismatch');
    assert.equal((await raw.next('error', (e) => e.ref === 'snip-bad-lang-1')).code, 'bad_frame');
    assert.equal((await raw.next('error', (e) => e.ref === 'snip-bad-path-1')).code, 'bad_frame');
    snippet('snip-good-0001', {});
    await raw.next('ack', (e) => e.id === 'snip-good-0001');
    await waitFor(() => bob.client.messages(general(bob)).length === 1, 'bob gets the good one');
    assert.equal(bob.client.messages(general(bob))[0].id, 'snip-good-0001', 'only the good one is stored');
    assert.equal(raw.closeCode, undefined, 'still open');
  });

  it('refuses an unsupported protocol version and a bad name', async () => {
    const r = await startRelay();
    const v9 = await RawClient.open(r.url);
    v9.send({ t: 'hello', v: 9, name: 'future', key: 'k'.repeat(64) });
    assert.equal((await v9.next('error')).code, 'unsupported_version');
    assert.equal(await v9.closed(), 4000);
    // A protocol-1 client (raw identity key) is told to update, not which field is wrong.
    const v1 = await RawClient.open(r.url);
    v1.send({ t: 'hello', v: 1, name: 'oldtimer', key: 'k'.repeat(64) });
    assert.match(String((await v1.next('error')).message), /protocol 2, not 1; update Parley/);
    assert.equal(await v1.closed(), 4000);
    const bad = await RawClient.open(r.url);
    await bad.signIn(r.url, '../../etc');
    assert.equal((await bad.next('error')).code, 'bad_name');
    assert.equal(await bad.closed(), 4005);
  });

  it('requires the team secret of a new member (compared in constant time), and says so', async () => {
    const r = await startRelay({ secret: 'correct horse battery' });
    for (const headers of [{}, { authorization: 'Bearer wrong' }] as Record<string, string>[]) {
      const raw = await RawClient.open(r.url, headers);
      await raw.signIn(r.url, 'stranger');
      assert.equal((await raw.next('error')).code, 'bad_secret');
      assert.equal(await raw.closed(), 4001);
    }
    const ok = await connect(r.url, 'alice', { secret: 'correct horse battery' });
    assert.equal(ok.client.state, 'connected');
    const wrong = makeClient(r.url, 'bob', { secret: 'nope' });
    const failed = new Promise<string>((resolve) => wrong.client.on('state', (s, d) => s === 'failed' && resolve(d ?? '')));
    wrong.client.start();
    assert.match(await failed, /team secret/);
    assert.equal(r.relay.memberCount(), 1, 'no member was made by a wrong secret');
  });

  it('refuses browser connections from a foreign Origin', async () => {
    const r = await startRelay({ allowedOrigins: ['vscode-webview://trusted'] });
    await assert.rejects(RawClient.open(r.url, { origin: 'https://evil.example' }), /HTTP 403 bad_origin/);
    const ok = await RawClient.open(r.url, { origin: 'vscode-webview://trusted' });
    await ok.signIn(r.url, 'webby');
    await ok.next('welcome');
  });

  it('rate-limits a flooding connection, then cuts it off, without touching others', async () => {
    const r = await startRelay({ limits: { ratePerSecond: 5, rateBurst: 10 } });
    const bob = await connect(r.url, 'bob');
    const raw = await RawClient.hello(r.url, 'flooder');
    const room = raw.welcome().conversations[0].id;
    for (let i = 0; i < 15; i++) raw.send({ t: 'send', id: `flood-msg-${i}`, conv: room, body: { kind: 'text', text: `f${i}` } });
    const limited = await raw.next('error', (e) => e.code === 'rate_limited');
    assert.match(String(limited.ref), /^flood-msg-1\d$/);
    await waitFor(() => r.store.after(room, 0, 100).length === 10, 'burst stored');
    for (let i = 15; i < 40; i++) raw.send({ t: 'typing', conv: room });
    assert.equal(await raw.closed(), 4008);
    bob.client.send(room, { kind: 'text', text: 'unaffected' });
    await waitFor(() => texts(bob, room).includes('unaffected'), 'bob served');
  });

  it('cuts off a client that stops reading once its queue passes the cap', async () => {
    const r = await startRelay({ maxQueuedBytes: 256 * 1024 });
    const alice = await connect(r.url, 'alice');
    const sleeper = new WebSocket(r.url);
    await rawSignIn(sleeper, r.url, 'sleeper');
    await new Promise((res) => sleeper.once('message', res));
    let closed = false;
    sleeper.on('close', () => (closed = true));
    sleeper.pause(); // never reads again: the kernel buffers fill, then the relay's queue
    const room = general(alice);
    const text = 'y'.repeat(8000);
    for (let i = 0; i < 600 && !closed; i++) {
      alice.client.send(room, { kind: 'text', text });
      if (i % 10 === 9) await waitFor(() => alice.client.outbox().length === 0, 'acks', 10_000);
    }
    sleeper.resume();
    await waitFor(() => closed, 'sleeper cut off', 10_000);
    await waitFor(() => alice.client.outbox().length === 0, 'alice still acked', 10_000);
    assert.equal(alice.client.state, 'connected');
  });
});
