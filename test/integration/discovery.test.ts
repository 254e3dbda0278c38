import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DiscoveredTeam } from '../../src/infra/discovery';
import type { Invite } from '../../src/infra/invite';
import { makeNetPair } from '../netns';

const PEER = join(__dirname, '..', 'peers', 'discoveryPeer.js');

describe('discovery on the network (two hosts in test network namespaces)', function () {
  this.timeout(60_000);
  it('a browser on another host sees the team with live member counts, joins it, and sees it leave', async () => {
    const net = makeNetPair();
    const host = net.node(net.a.ns, PEER, ['host', net.a.ip, 'Core team']);
    const hosting = await host.expect(
      (l) => (l.event === 'hosting' ? (l as { port: number; fingerprint: string; invites: Invite[] }) : undefined),
      'relay hosting',
    );
    assert.equal(hosting.invites[0].relayUrl, `wss://${net.a.ip}:7420`);

    const browser = net.node(net.b.ns, PEER, ['browse', net.b.ip]);
    const seen = await browser.expect((l) => l.event === 'teams' && (l.teams as DiscoveredTeam[]).find((t) => t.team === 'Core team'), 'team discovered');
    assert.equal(seen.url, `wss://${net.a.ip}:7420`, 'the address the answer came from');
    assert.deepEqual([seen.secure, seen.secret, seen.members, seen.online], [true, true, 0, 0]);
    assert.deepEqual(seen.addresses, [net.a.ip]);
    assert.equal(seen.fingerprint, hosting.fingerprint.replace(/:/g, '').toLowerCase(), 'the certificate fingerprint travels in TXT, to compare with a pin');

    // Joining needs the secret (and the fingerprint from the invite): the discovered address is only where.
    browser.send(`join ${seen.url} ${hosting.fingerprint}`);
    await browser.expect((l) => l.event === 'state' && l.state === 'connected', 'bob connected across the veth pair');
    const live = await browser.expect(
      (l) => l.event === 'teams' && (l.teams as DiscoveredTeam[]).find((t) => t.team === 'Core team' && t.online === 1 && t.members === 1),
      'member counts refreshed live',
    );
    assert.equal(live.url, seen.url);

    host.send('stop');
    await host.expect((l) => l.event === 'stopped', 'host stopped');
    await browser.expect((l) => l.event === 'teams' && (l.teams as DiscoveredTeam[]).length === 0, 'team gone after the goodbye', 5_000);
    browser.send('stop');
  });
});
