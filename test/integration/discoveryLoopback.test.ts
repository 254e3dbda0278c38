import * as assert from 'node:assert/strict';
import makeMdns from 'multicast-dns';
import { Announcer, SERVICE, TeamBrowser, type DiscoveredTeam } from '../../src/core/discovery';
import { cleanup, onCleanup, waitFor } from '../helpers';

// Multicast DNS bound to loopback on a port of its own (not 5353): nothing reaches a real interface.
const PORT = 20000 + (process.pid % 20000);
const LOOPBACK = { interface: 'loopback', port: PORT };

describe('discovery on loopback: announcements, updates, goodbyes and hostile answers', function () {
  this.timeout(20_000);
  afterEach(cleanup);

  it('lists a team, follows its member counts, ignores malformed answers, and drops it on goodbye', async () => {
    const browser = new TeamBrowser({ ...LOOPBACK, intervalMs: 300 });
    onCleanup(() => browser.stop());
    let teams: DiscoveredTeam[] = [];
    browser.on('change', (t) => (teams = t));

    // A hostile or broken responder: wrong port, missing fields, unknown version, oversized names.
    const rogue = makeMdns({ interface: '127.0.0.1', bind: '0.0.0.0', port: PORT, reuseAddr: true, loopback: true });
    onCleanup(() => new Promise<void>((r) => rogue.destroy(() => r())));
    const bad = (name: string, port: number, txt: string[]) => [
      { name: SERVICE, type: 'PTR' as const, ttl: 120, data: name },
      { name, type: 'SRV' as const, ttl: 120, data: { port, target: 'x.local' } },
      { name, type: 'TXT' as const, ttl: 120, data: txt.map((t) => Buffer.from(t)) },
    ];
    rogue.on('query', () => {
      rogue.respond({ answers: [...bad(`a.${SERVICE}`, 0, ['v=1', 'team=zero port'])] });
      rogue.respond({ answers: [...bad(`b.${SERVICE}`, 7420, ['v=2', 'team=future version'])] });
      rogue.respond({ answers: [...bad(`c.${SERVICE}`, 7420, ['v=1'])] });
      rogue.respond({ answers: [{ name: SERVICE, type: 'PTR', ttl: 120, data: `d.${SERVICE}` }] });
      rogue.respond({ answers: [...bad(`e.${SERVICE}`, 7421, ['v=1', `team=${'x'.repeat(200)}`, 'members=-5', 'online=lots'])] });
    });

    const announcer = new Announcer({ team: 'Loop team', port: 7420, secure: false, secret: true, members: 1, online: 0 }, LOOPBACK);
    onCleanup(() => announcer.stop());
    await waitFor(() => teams.find((t) => t.team === 'Loop team'), 'the team is listed');
    const loop = teams.find((t) => t.team === 'Loop team')!;
    assert.equal(loop.url, 'ws://127.0.0.1:7420');
    assert.deepEqual([loop.members, loop.online, loop.secret, loop.secure], [1, 0, true, false]);

    announcer.update({ members: 3, online: 2 });
    await waitFor(() => teams.find((t) => t.team === 'Loop team' && t.online === 2 && t.members === 3), 'counts refreshed');

    // Of the rogue answers only the one with a valid port and version stays, clamped and cut.
    const e = teams.find((t) => t.id === `e.${SERVICE}`);
    assert.ok(e, JSON.stringify(teams.map((t) => t.id)));
    assert.equal(e.team.length, 48);
    assert.deepEqual([e.members, e.online], [0, 0]);
    assert.deepEqual(teams.map((t) => t.id).filter((id) => /^[abcd]\./.test(id)), []);

    await announcer.stop();
    await waitFor(() => !teams.some((t) => t.team === 'Loop team'), 'gone after the goodbye', 3000);
    // A responder that vanishes without a goodbye (crash, cable pulled) expires after three silent rounds.
    await new Promise<void>((r) => rogue.destroy(() => r()));
    await waitFor(() => teams.length === 0, 'the silent responder expired', 5000);
  });
});
