import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import makeMdns from 'multicast-dns';
import { Announcer, SERVICE } from '../../src/infra/discovery';
import type { NetworkTeams as NetworkTeamsClass, PinSource } from '../../src/host/networkTeams';
import { onCleanup, waitFor } from '../helpers';
import { loadWith, vscodeStub } from './stubVscode';

// NetworkTeams owns when this window looks for teams: only while the join screen shows. With the
// real TeamBrowser on loopback (a port of the test's own), a listener on that port counts the
// queries it sends: none before the join screen shows, some while it does, none after it hides.

const PORT = 24000 + (process.pid % 20000);
const hostDir = join(__dirname, '..', '..', 'src', 'host');

class StubEmitter<T> {
  private readonly e = new EventEmitter();
  readonly event = (fn: (v: T) => void) => {
    this.e.on('x', fn);
    return { dispose: () => this.e.off('x', fn) };
  };
  fire(v: T): void {
    this.e.emit('x', v);
  }
  dispose(): void {
    this.e.removeAllListeners();
  }
}

function load(settings: Record<string, unknown> = {}) {
  const stub = vscodeStub();
  Object.assign(stub.settings, { 'discovery.interface': 'loopback', ...settings });
  const config = new StubEmitter<{ affectsConfiguration(s: string): boolean }>();
  Object.assign(stub, { EventEmitter: StubEmitter });
  Object.assign(stub.workspace, { onDidChangeConfiguration: config.event });
  const mod = loadWith<{ NetworkTeams: typeof NetworkTeamsClass }>(join(hostDir, 'networkTeams'), stub);
  const lines: string[] = [];
  const log = { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(l) } as never;
  return { mod, stub, config, lines, log };
}

/** Counts the queries for Parley's service that reach the test port. */
function queryCounter() {
  const mdns = makeMdns({ interface: '127.0.0.1', bind: '0.0.0.0', port: PORT, reuseAddr: true, loopback: true });
  onCleanup(() => new Promise<void>((r) => mdns.destroy(() => r())));
  const counter = { n: 0 };
  mdns.on('query', (q) => {
    if (q.questions.some((x) => x.name === SERVICE)) counter.n++;
  });
  return counter;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('NetworkTeams: browsing only while the join screen shows', function () {
  this.timeout(20_000);
  it('binds and queries only between the join screen showing and hiding; lists what answers with address, trust and same-name flags', async () => {
    const queries = queryCounter();
    const pins: Record<string, string> = {};
    const pinSource: PinSource = { pinned: (url) => pins[url] };
    const { mod, log } = load();
    const teams = new mod.NetworkTeams(pinSource, log, { port: PORT, intervalMs: 200, maxIntervalMs: 400 });
    onCleanup(() => teams.dispose());

    // Activation: nothing bound, nothing sent.
    await sleep(800);
    assert.equal(teams.browsing, false);
    assert.equal(queries.n, 0, 'no query before the join screen shows');

    const real = new Announcer(
      { team: 'Core team', port: 7460, secure: true, secret: true, members: 1, online: 1, fingerprint: 'ab'.repeat(32) },
      { interface: 'loopback', port: PORT },
    );
    onCleanup(() => real.stop());
    const plain = new Announcer({ team: 'Сore team', port: 7461, secure: false, secret: false, members: 0, online: 0 }, { interface: 'loopback', port: PORT });
    onCleanup(() => plain.stop());
    pins['wss://127.0.0.1:7460'] = 'ab'.repeat(32);

    let changes = 0;
    teams.onDidChange(() => changes++);
    teams.setJoinScreenShown(true);
    assert.equal(teams.browsing, true);
    await waitFor(() => teams.teams().length === 2, 'both teams listed');
    assert.ok(queries.n >= 1, 'queries while the join screen shows');
    const byPort = Object.fromEntries(teams.teams().map((t) => [t.url, t]));
    const core = byPort['wss://127.0.0.1:7460'];
    const lookalike = byPort['ws://127.0.0.1:7461'];
    assert.equal(core.trust, 'trusted');
    assert.equal(core.fingerprint, undefined, 'a trusted entry needs no fingerprint to compare');
    assert.equal(lookalike.trust, 'plain');
    // "Сore team" starts with a Cyrillic С: it passes for "Core team", and both say so.
    assert.deepEqual([core.sameName, lookalike.sameName], [2, 2]);

    // The pin disagrees with what is announced now: flagged, with the announced fingerprint to compare.
    pins['wss://127.0.0.1:7460'] = 'cd'.repeat(32);
    assert.equal(teams.teams().find((t) => t.url === 'wss://127.0.0.1:7460')?.trust, 'changed');
    assert.match(teams.teams().find((t) => t.url === 'wss://127.0.0.1:7460')?.fingerprint ?? '', /^AB:AB:/);
    delete pins['wss://127.0.0.1:7460'];
    assert.equal(teams.teams().find((t) => t.url === 'wss://127.0.0.1:7460')?.trust, 'unknown');

    // Hidden (the view collapsed, or the window joined a team): the browser stops, the list empties.
    teams.setJoinScreenShown(false);
    assert.equal(teams.browsing, false);
    assert.equal(teams.teams().length, 0);
    assert.ok(changes >= 2);
    await sleep(100);
    const after = queries.n;
    await sleep(1500);
    assert.equal(queries.n, after, 'no query once the join screen is gone');

    // Shown again: browsing again.
    teams.setJoinScreenShown(true);
    await waitFor(() => teams.teams().length === 2, 'listed again');
  });

  it('does not browse with discovery turned off, even on the join screen, and stops when it is turned off', async () => {
    const queries = queryCounter();
    const { mod, stub, config, log } = load({ 'discovery.enabled': false });
    const teams = new mod.NetworkTeams({ pinned: () => undefined }, log, { port: PORT, intervalMs: 200 });
    onCleanup(() => teams.dispose());
    teams.setJoinScreenShown(true);
    await sleep(600);
    assert.equal(teams.browsing, false);
    assert.equal(queries.n, 0);

    stub.settings['discovery.enabled'] = true;
    config.fire({ affectsConfiguration: (s) => s === 'parley.discovery' });
    assert.equal(teams.browsing, true);
    await waitFor(() => queries.n > 0, 'a query once discovery is on');

    stub.settings['discovery.enabled'] = false;
    config.fire({ affectsConfiguration: (s) => s === 'parley.discovery' });
    assert.equal(teams.browsing, false);
    teams.dispose();
  });
});
