import * as assert from 'node:assert/strict';
import { newIdentitySecret } from '../../src/infra/identity';
import { RawClient, startRelay } from '../helpers';

describe('idempotent sends', () => {
  it('a resend with the same id gets the original ack and makes no second message, even across connections', async () => {
    const r = await startRelay();
    const key = newIdentitySecret();
    const a = await RawClient.hello(r.url, 'alice', key);
    const room = a.welcome().conversations[0].id;
    const frame = { t: 'send', id: 'client-msg-0001', conv: room, body: { kind: 'text', text: 'once' } };
    a.send(frame);
    a.send(frame); // same tick: same batch
    const first = await a.next('ack');
    const second = await a.next('ack', (e) => e !== first);
    assert.equal(first.seq, 1);
    assert.equal(second.seq, 1);
    assert.equal(second.dup, true);
    a.ws.close();
    const b = await RawClient.hello(r.url, 'alice', key);
    b.send(frame); // after a reconnect, as an outbox resend would
    const third = await b.next('ack');
    assert.equal(third.seq, 1);
    assert.equal(third.ts, first.ts);
    assert.equal(r.store.after(room, 0, 10).length, 1);
    // Another author may use the same client id: ids are per author.
    const c = await RawClient.hello(r.url, 'carol');
    c.send(frame);
    assert.equal((await c.next('ack')).seq, 2);
  });
});
