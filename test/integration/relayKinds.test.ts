import * as assert from 'node:assert/strict';
import WebSocket from 'ws';
import { BASE_SEND_KINDS, SEND_KINDS } from '../../src/protocol/wire';
import { connect, RawClient, team, waitFor } from '../helpers';

/**
 * The client's socket with the relay's `welcome` stripped of `kinds`: what a relay from before
 * the list says. (A real relay of that age is not in this tree to run.)
 */
class OldRelaySocket extends WebSocket {
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'message') {
      const events = JSON.parse(String(args[0])) as { t: string; kinds?: unknown }[];
      for (const e of events) if (e.t === 'welcome') delete e.kinds;
      args[0] = Buffer.from(JSON.stringify(events));
    }
    return super.emit(event, ...args);
  }
}

describe('body kinds the relay accepts: a newer client never sends an older relay what it would refuse', () => {
  it('lists its kinds in the welcome; a client fails what an older relay lacks at once, and keeps its connection', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice']);
    const probe = await RawClient.hello(r.url, 'probe');
    const welcome = probe.welcome() as { kinds?: string[] };
    probe.ws.close();
    assert.deepEqual(welcome.kinds, [...SEND_KINDS]);
    for (const k of ['pin', 'topic', 'archive']) assert.ok(SEND_KINDS.includes(k) && !BASE_SEND_KINDS.includes(k), k);

    const bob = await connect(r.url, 'bob', { WebSocket: OldRelaySocket });
    bob.client.send(room, { kind: 'text', text: 'hello' });
    bob.client.send(room, { kind: 'pin', target: 1, on: true });
    bob.client.send(room, { kind: 'react', target: 1, emoji: '👍', on: true });
    await waitFor(() => bob.client.outbox().length === 1, 'the text and the reaction are acked');
    const [failed] = bob.client.outbox();
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /does not support pin messages yet; update the relay/);
    assert.equal(bob.client.state, 'connected', 'the connection was never at risk');
    // Nor does it send `prefs`, which such a relay would answer with unknown_type: the relay
    // here does know it, and would have stored the choice.
    bob.client.setShareRead(false);
    alice.client.setShareRead(false);
    const stored = () => new Map(r.store.users().map((u) => [u.name, u.shareRead]));
    await waitFor(() => stored().get('alice') === false, 'alice (a relay that lists its kinds) got hers');
    assert.equal(stored().get('bob'), true, 'bob sent none');
    assert.equal(r.store.conversations().find((c) => c.id === room)?.head, 2, 'nothing of the pin reached the relay');
  });
});
