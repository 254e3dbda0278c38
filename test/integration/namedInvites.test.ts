import * as assert from 'node:assert/strict';
import { connect, makeClient, startRelay, tempDir, waitFor } from '../helpers';

const SECRET = 'a-long-team-secret-0123456789';

function failure(c: ReturnType<typeof makeClient>): Promise<string> {
  return new Promise((resolve) => c.client.on('state', (s, d) => s === 'failed' && resolve(d ?? '')));
}

describe('named invites: a name kept for its invitee', function () {
  this.timeout(20_000);
  it('keeps the name (and its look-alikes) for the invitee, who joins with the token and no secret, once', async () => {
    const dataFile = `${tempDir()}/relay.sqlite`;
    let r = await startRelay({ secret: SECRET, dataFile });
    const alice = await connect(r.url, 'alice', { secret: SECRET });
    const { token, name, expires } = await alice.client.makeNamedInvite('dora');
    assert.equal(name, 'dora');
    assert.match(token, /^[A-Za-z0-9_-]{22}$/);
    assert.ok(expires > Date.now() + 6 * 24 * 3_600_000);
    // Someone with the team secret cannot take it, nor a name that could pass for it.
    for (const [squatter, why] of [
      ['dora', /reserved for a teammate alice invited/],
      ['DORA', /reserved for a teammate alice invited/],
      ['d0ra', /the name d0ra is reserved.* for a teammate alice invited/],
      ['dоra' /* Cyrillic о */, /cannot mix/],
    ] as const) {
      const c = makeClient(r.url, squatter, { secret: SECRET });
      const failed = failure(c);
      c.client.start();
      assert.match(await failed, why, squatter);
      c.close();
    }
    assert.equal(r.relay.memberCount(), 1, 'no squatter was made a member');
    // Nor can a member rename into it.
    const bob = await connect(r.url, 'bob', { secret: SECRET });
    bob.close();
    const renamed = makeClient(r.url, 'dora', { key: bob.key });
    const renameFailed = failure(renamed);
    renamed.client.start();
    assert.match(await renameFailed, /reserved.*you are still bob/);
    renamed.close();
    // It survives a restart of the relay.
    await r.stop();
    r = await startRelay({ secret: SECRET, dataFile });
    // With the token under another name: refused, and the token still works for dora.
    const wrongName = makeClient(r.url, 'eve', { inviteToken: token });
    const wrongFailed = failure(wrongName);
    wrongName.client.start();
    assert.match(await wrongFailed, /this invite is for dora/);
    wrongName.close();
    // dora joins with it, no secret.
    const dora = await connect(r.url, 'dora', { inviteToken: token });
    assert.equal(dora.client.self!.name, 'dora');
    // Used up.
    const reuse = makeClient(r.url, 'dora', { inviteToken: token });
    const reuseFailed = failure(reuse);
    reuse.client.start();
    assert.match(await reuseFailed, /belongs to another member/);
    const other = makeClient(r.url, 'zed', { inviteToken: token });
    const otherFailed = failure(other);
    other.client.start();
    assert.match(await otherFailed, /used already, has expired/);
  });

  it('voids the named invites of a member who is removed, and all of them when the secret is rotated', async () => {
    const r = await startRelay({ secret: SECRET });
    const alice = await connect(r.url, 'alice', { secret: SECRET }); // the first member: the owner
    const bob = await connect(r.url, 'bob', { secret: SECRET });
    const forErin = await bob.client.makeNamedInvite('erin');
    const forDora = await alice.client.makeNamedInvite('dora');
    await alice.client.removeMember(bob.client.self!.id);
    const erin = makeClient(r.url, 'erin', { inviteToken: forErin.token });
    const erinFailed = failure(erin);
    erin.client.start();
    assert.match(await erinFailed, /used already, has expired/, "nobody joins on a removed member's word");
    // The name bob kept is free again (for someone with the secret).
    await connect(r.url, 'erin', { secret: SECRET });
    await alice.client.rotateSecret();
    const dora = makeClient(r.url, 'dora', { inviteToken: forDora.token });
    const doraFailed = failure(dora);
    dora.client.start();
    assert.match(await doraFailed, /used already, has expired/, 'a rotation ends the invites handed out before it');
  });

  it('refuses an invite for a name that is taken, could pass for one, or is not a name', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    await assert.rejects(alice.client.makeNamedInvite('ALICE'), /belongs to another member: invite them under another name/);
    await assert.rejects(alice.client.makeNamedInvite('аlice'), /bad name|could pass for alice/);
    await assert.rejects(alice.client.makeNamedInvite('../x'), /bad name/);
    // A second invite for the same name replaces the first.
    const first = await alice.client.makeNamedInvite('dora');
    const second = await alice.client.makeNamedInvite('dora');
    const stale = makeClient(r.url, 'dora', { inviteToken: first.token });
    const staleFailed = failure(stale);
    stale.client.start();
    assert.match(await staleFailed, /replaced by a newer one/);
    await connect(r.url, 'dora', { inviteToken: second.token });
    await waitFor(() => alice.client.members().some((m) => m.name === 'dora'), 'alice sees dora');
  });
});
