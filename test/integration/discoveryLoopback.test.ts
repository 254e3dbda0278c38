import * as assert from 'node:assert/strict';
import makeMdns from 'multicast-dns';
import { Announcer, SERVICE, TeamBrowser, type DiscoveredTeam, type TeamInfo } from '../../src/infra/discovery';
import { onCleanup, waitFor } from '../helpers';

// Multicast DNS bound to loopback on a port of its own (not 5353): nothing reaches a real interface.
const PORT = 20000 + (process.pid % 20000);
const LOOPBACK = { interface: 'loopback', port: PORT };

/** A browser on the test port, and what it lists now. */
function browse(): { browser: TeamBrowser; teams: () => DiscoveredTeam[] } {
  const browser = new TeamBrowser({ ...LOOPBACK, intervalMs: 300 });
  onCleanup(() => browser.stop());
  let teams: DiscoveredTeam[] = [];
  browser.on('change', (t) => (teams = t));
  return { browser, teams: () => teams };
}

function announce(info: Partial<TeamInfo> & { team: string; port: number }): Announcer {
  const a = new Announcer({ secure: false, secret: true, members: 0, online: 0, ...info }, LOOPBACK);
  onCleanup(() => a.stop());
  return a;
}

describe('discovery on loopback: announcements, updates, goodbyes and hostile answers', function () {
  this.timeout(20_000);
  it('lists a team, follows its member counts, ignores malformed answers, and drops it on goodbye', async () => {
    const browser = new TeamBrowser({ ...LOOPBACK, intervalMs: 300 });
    onCleanup(() => browser.stop());
    let teams: DiscoveredTeam[] = [];
    browser.on('change', (t) => (teams = t));

    // A hostile or broken responder: wrong port, missing fields, unknown version, oversized names.
    const rogue = makeMdns({ interface: '127.0.0.1', bind: '0.0.0.0', port: PORT, reuseAddr: true, loopback: true });
    onCleanup(() => new Promise<void>((r) => rogue.destroy(() => r())));
    // TTL 2 s: a responder that goes silent is gone that long after its last answer.
    const bad = (name: string, port: number, txt: string[]) => [
      { name: SERVICE, type: 'PTR' as const, ttl: 2, data: name },
      { name, type: 'SRV' as const, ttl: 2, data: { port, target: 'x.local' } },
      { name, type: 'TXT' as const, ttl: 2, data: txt.map((t) => Buffer.from(t)) },
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
    const e = teams.find((t) => t.instance === `e.${SERVICE}`);
    assert.ok(e, JSON.stringify(teams.map((t) => t.id)));
    assert.equal(e.id, `e.${SERVICE}|127.0.0.1`, 'keyed by instance and source');
    assert.equal(e.team.length, 48);
    assert.deepEqual([e.members, e.online], [0, 0]);
    assert.deepEqual(
      teams.map((t) => t.instance).filter((id) => /^[abcd]\./.test(id)),
      [],
    );
    assert.ok(browser.stats().malformed >= 4, JSON.stringify(browser.stats()));

    await announcer.stop();
    await waitFor(() => !teams.some((t) => t.team === 'Loop team'), 'gone after the goodbye', 3000);
    // A responder that vanishes without a goodbye (crash, cable pulled) expires with its TTL.
    await new Promise<void>((r) => rogue.destroy(() => r()));
    await waitFor(() => teams.length === 0, 'the silent responder expired', 5000);
  });

  it('two relays that would share an instance name: the second to probe takes "(2)", and both are listed', async () => {
    const { teams } = browse();
    const first = announce({ team: 'Twin', port: 7430 });
    await waitFor(() => teams().find((t) => t.instance === first.instance), 'the first relay is listed');
    const renames: string[] = [];
    // Same team, same port, same machine: the same name it would announce.
    const second = announce({ team: 'Twin', port: 7430 });
    second.on('rename', (n) => renames.push(n));
    await waitFor(() => teams().filter((t) => t.team === 'Twin').length === 2, 'both relays are listed', 5000);
    assert.equal(renames.length, 1, JSON.stringify([renames, first.instance, second.instance, teams().map((t) => t.id)]));
    assert.match(second.instance, /^Twin \(2\) on /);
    assert.notEqual(first.instance, second.instance);
    assert.match(first.instance, /^Twin on /, 'the relay that held the name keeps it');
  });

  it('an answer from another address cannot take over a listed team, say goodbye for it, or keep its name by force', async () => {
    const { teams } = browse();
    const real = announce({ team: 'Core team', port: 7440, secure: true, members: 2, online: 1 });
    await waitFor(() => teams().find((t) => t.url === 'wss://127.0.0.1:7440'), 'the real team is listed');
    const claimed = real.instance;

    // A stranger at 127.0.0.9 answers with the same instance name, its own port, then says goodbye for it.
    const { createSocket } = await import('node:dgram');
    const { encode } = await import('dns-packet');
    const sock = createSocket({ type: 'udp4', reuseAddr: true });
    onCleanup(() => sock.close());
    await new Promise<void>((r) => sock.bind(0, '127.0.0.9', () => r()));
    sock.setMulticastInterface('127.0.0.1');
    const forge = (ttl: number) =>
      encode({
        type: 'response',
        flags: 1 << 10,
        answers: [
          { name: SERVICE, type: 'PTR', ttl, data: claimed },
          { name: claimed, type: 'SRV', ttl, data: { port: 9999, target: 'evil.local' } },
          { name: claimed, type: 'TXT', ttl, data: ['v=1', 'team=Core team', 'tls=1', 'secret=1', 'members=2', 'online=1'].map((t) => Buffer.from(t)) },
        ],
      });
    const renamed = new Promise<string>((r) => real.on('rename', r));
    sock.send(forge(120), PORT, '224.0.0.251');
    await waitFor(() => teams().find((t) => t.url === 'wss://127.0.0.9:9999'), 'the forged entry shows as an entry of its own');
    const genuine = teams().filter((t) => t.source === '127.0.0.1' && t.team === 'Core team');
    assert.ok(
      genuine.every((t) => t.url === 'wss://127.0.0.1:7440'),
      JSON.stringify(teams()),
    );
    // The real relay hears its name claimed with other data: it moves to the next name (RFC 6762 §9).
    assert.match(await renamed, /^Core team \(2\) on /);
    await waitFor(() => teams().find((t) => t.instance === real.instance && t.url === 'wss://127.0.0.1:7440'), 'the real team under its new name');

    sock.send(forge(0), PORT, '224.0.0.251');
    await waitFor(() => !teams().some((t) => t.source === '127.0.0.9'), 'the forger can remove its own entry');
    assert.ok(
      teams().find((t) => t.url === 'wss://127.0.0.1:7440'),
      'but not the real one',
    );
    // And a goodbye for the real team's current name from the stranger changes nothing.
    sock.send(encode({ type: 'response', flags: 1 << 10, answers: [{ name: SERVICE, type: 'PTR', ttl: 0, data: real.instance }] }), PORT, '224.0.0.251');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(
      teams().find((t) => t.instance === real.instance),
      'a goodbye from another address is ignored',
    );
  });

  it('queries back off (1, 2, 4 … up to the cap) and a responder stays quiet for a query that already knows it', async () => {
    const browser = new TeamBrowser({ ...LOOPBACK, intervalMs: 100, maxIntervalMs: 400 });
    onCleanup(() => browser.stop());
    await new Promise((r) => setTimeout(r, 2100));
    // At 0, 0.1, 0.3, 0.7, 1.1, 1.5, 1.9 s: 7 queries (without back-off, 21).
    const q = browser.stats().queries;
    assert.ok(q >= 6 && q <= 8, `${q} queries in 2.1 s`);
    await browser.stop();

    const announcer = announce({ team: 'Quiet team', port: 7450, secret: false });
    const asker = makeMdns({ interface: '127.0.0.1', bind: '0.0.0.0', port: PORT, reuseAddr: true, loopback: true });
    onCleanup(() => new Promise<void>((r) => asker.destroy(() => r())));
    let answers = 0;
    asker.on('response', (res) => {
      if (res.answers.some((a) => a.type === 'PTR' && a.data === announcer.instance && (a.ttl ?? 0) > 0)) answers++;
    });
    // Probing (0.75 s) and the two announcements a second apart.
    await waitFor(() => answers >= 2, 'announced twice', 5000);
    await new Promise((r) => setTimeout(r, 1200));
    answers = 0;
    asker.query({ questions: [{ name: SERVICE, type: 'PTR' }], answers: [{ name: SERVICE, type: 'PTR', ttl: 120, data: announcer.instance }] });
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(answers, 0, 'no answer to a query that lists it as known');
    asker.query({ questions: [{ name: SERVICE, type: 'PTR' }], answers: [{ name: SERVICE, type: 'PTR', ttl: 30, data: announcer.instance }] });
    await waitFor(() => answers === 1, 'an answer when the known copy is past half its TTL', 1500);
    // Twenty queries at once get one answer a second, not twenty.
    answers = 0;
    for (let i = 0; i < 20; i++) asker.query({ questions: [{ name: SERVICE, type: 'PTR' }] });
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(answers >= 1 && answers <= 2, `${answers} answers to 20 queries in 1.5 s`);
  });
});
