import * as assert from 'node:assert/strict';
import { newIdentitySecret } from '../../src/infra/identity';
import { openExclusive } from '../../src/infra/sqliteFile';
import { PROTOTYPES } from '../../src/protocol/confusablesData';
import { UserName } from '../../src/protocol/wire';
import { MAX_RESERVED_PER_MEMBER } from '../../src/relay/nameIndex';
import { SqliteStore } from '../../src/relay/sqliteStore';
import { connect, makeClient, RawClient, startRelay, withTimeout } from '../helpers';

type Outcome = { code: string; message: string } | 'welcome';

/** Signs in as `name` through the client the extension uses; what the relay answered. */
async function tryName(url: string, name: string, key = newIdentitySecret()): Promise<Outcome> {
  const c = makeClient(url, name, { key });
  const outcome = new Promise<Outcome>((resolve) => {
    c.client.on('error', (code, message) => resolve({ code, message }));
    c.client.on('synced', () => resolve('welcome'));
  });
  c.client.start();
  try {
    return await withTimeout(outcome, 5000, `an answer to ${name}`);
  } finally {
    c.close();
  }
}

/** Every source character confusables.txt maps to exactly `proto`. */
function sourcesOf(proto: string): string[] {
  const want = [...proto].map((c) => c.codePointAt(0)!.toString(16)).join('.');
  return PROTOTYPES.split(',')
    .filter((e) => e.slice(e.indexOf('=') + 1) === want)
    .map((e) => String.fromCodePoint(parseInt(e.slice(0, e.indexOf('=')), 16)));
}

describe('member names that cannot pass for others (a real relay)', () => {
  it('refuses the look-alikes of a member’s name, each with its reason, and lets the member in', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const expect: [string, string, RegExp][] = [
      ['аlice', 'bad_name', /cannot mix Cyrillic and Latin letters/],
      ['alіce', 'bad_name', /cannot mix Latin and Cyrillic letters/],
      ['aIice', 'name_taken', /aIice could pass for alice, another member's name/],
      ['ａｌｉｃｅ', 'name_taken', /belongs to another member/],
      ['ALICE', 'name_taken', /belongs to another member/],
      ['a1ice', 'name_taken', /belongs to another member/],
      ['al\u200bice', 'bad_name', /invisible character \(U\+200B \(ZERO WIDTH SPACE\)\)/],
      ['ali\u202ece', 'bad_name', /bidirectional control character \(U\+202E/],
    ];
    for (const [name, code, message] of expect) {
      const got = await tryName(r.url, name);
      assert.notEqual(got, 'welcome', `${name} was let in`);
      if (got === 'welcome') continue;
      assert.equal(got.code, code, name);
      assert.match(got.message, message, name);
    }
    assert.equal(r.store.users().length, 1, 'no look-alike became a member');
    // Greek capital zeta beside a Latin "Zoe": mixed scripts; a Greek name of its own is fine.
    await connect(r.url, 'Zoe');
    assert.equal(((await tryName(r.url, 'Ζoe')) as { code: string }).code, 'bad_name');
    assert.equal(await tryName(r.url, 'Ζωή'), 'welcome');
    assert.equal(await tryName(r.url, 'Zoë'), 'welcome');
    // The real alice, from a second window, is unaffected.
    const again = await connect(r.url, 'alice', { key: alice.key });
    assert.equal(again.client.self!.id, alice.client.self!.id);
  });

  it('refuses every single-letter look-alike of "alice" from the confusables table (the figure in RELIABILITY.md)', async function () {
    this.timeout(120_000);
    const r = await startRelay({ newMembersPerHour: 100_000 });
    await connect(r.url, 'alice');
    const names = new Set<string>();
    for (const [i, ch] of [...'alice'].entries()) {
      for (const fake of [...sourcesOf(ch), ...sourcesOf(ch.toUpperCase())]) names.add('alice'.slice(0, i) + fake + 'alice'.slice(i + 1));
    }
    const tally = { charset: 0, bad_name: 0, name_taken: 0, let_in: [] as string[] };
    for (const name of names) {
      if (!UserName.safeParse(name.normalize('NFC')).success) tally.charset++;
      const raw = await RawClient.open(r.url);
      await raw.signIn(r.url, name);
      const answer = await raw.next('error', () => true, 5000).catch(() => undefined);
      raw.ws.terminate();
      if (!answer) tally.let_in.push(name);
      else if (answer.code === 'bad_name') tally.bad_name++;
      else if (answer.code === 'name_taken') tally.name_taken++;
      else assert.fail(`unexpected ${String(answer.code)} for ${name}`);
    }
    console.log(
      `      ${names.size} look-alikes of "alice": ${tally.bad_name} bad_name (${tally.charset} of them by the character rule), ${tally.name_taken} name_taken, ${tally.let_in.length} let in`,
    );
    assert.deepEqual(tally.let_in, []);
    assert.ok(names.size > 100 && tally.name_taken > 5);
    assert.equal(r.store.users().length, 1);
  });

  it('keeps a renamed member’s old name for them across a restart; they may take it back, nobody else may', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    alice.close();
    const renamed = await connect(r.url, 'alicia', { key: alice.key });
    assert.equal(renamed.client.self!.name, 'alicia');
    renamed.close();
    const taken = await tryName(r.url, 'alice');
    assert.notEqual(taken, 'welcome');
    assert.equal((taken as { code: string }).code, 'name_taken');
    assert.match(
      (taken as { message: string }).message,
      /the name alice is reserved: the member who was called alice, now called alicia, may take it back, nobody else may/,
    );
    // Look-alikes of the reserved name are reserved with it.
    assert.match(((await tryName(r.url, 'ALICE')) as { message: string }).message, /is reserved/);
    assert.match(((await tryName(r.url, 'aIice')) as { message: string }).message, /is reserved \(it could pass for alice\)/);
    // It survives a restart of the relay.
    await r.stop();
    const r2 = await startRelay({ dataFile: r.dataFile, port: r.port });
    assert.match(((await tryName(r2.url, 'alice')) as { message: string }).message, /is reserved/);
    // Its owner takes it back; then "alicia" is theirs in reserve.
    const back = await connect(r2.url, 'alice', { key: alice.key });
    assert.equal(back.client.self!.name, 'alice');
    back.close();
    assert.deepEqual(
      r2.store.reservedNames().map((x) => x.name),
      ['alicia'],
    );
    assert.match(((await tryName(r2.url, 'alicia')) as { message: string }).message, /now called alice,/);
  });

  it(`keeps at most ${MAX_RESERVED_PER_MEMBER} old names per member, releasing the oldest`, async () => {
    const r = await startRelay();
    const key = newIdentitySecret();
    const names = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
    for (const n of names) (await connect(r.url, n, { key })).close();
    const kept = r.store
      .reservedNames()
      .map((x) => x.name)
      .sort();
    assert.deepEqual(kept, ['n1', 'n2', 'n3', 'n4', 'n5']);
    assert.equal(await tryName(r.url, 'n0'), 'welcome');
    assert.match(((await tryName(r.url, 'n1')) as { message: string }).message, /reserved/);
  });

  it('recomputes the keys of a relay from before (lower-cased names), keeping two members that now collide', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    alice.close();
    await r.stop();
    // Make it the file an older relay left: lower-cased norms, a look-alike member it let in, no key version.
    const { db, release } = openExclusive(r.dataFile, '');
    const aliceId = (db.get("SELECT id FROM users WHERE name = 'alice'") as { id: string }).id;
    db.run("INSERT INTO users (id, name, norm, key_hash, created) VALUES ('u_fake', 'аlice', 'аlice', 'none:u_fake', ?)", [Date.now() + 1]);
    db.run("INSERT INTO users (id, name, norm, key_hash, created) VALUES ('u_bob', 'Bob', 'bob', 'none:u_bob', ?)", [Date.now() + 2]);
    db.run("DELETE FROM meta WHERE k = 'name_keys'");
    db.close();
    release();
    const lines: string[] = [];
    const r2 = await startRelay({ dataFile: r.dataFile, port: r.port, log: (l) => lines.push(l) });
    const norms = new Map(r2.store.users().map((u) => [u.id, u.norm]));
    assert.equal(norms.get(aliceId), 'alice');
    assert.equal(norms.get('u_fake'), 'alice u_fake');
    assert.equal(norms.get('u_bob'), 'bob');
    assert.ok(
      lines.some((l) => /members "alice" and "аlice" \(u_fake\) have names that pass for each other/.test(l)),
      lines.join('\n'),
    );
    // Both stay: the real alice signs in; newcomers get neither name nor a look-alike.
    const back = await connect(r2.url, 'alice', { key: alice.key });
    assert.equal(back.client.self!.id, aliceId);
    assert.equal(((await tryName(r2.url, 'ALICE')) as { code: string }).code, 'name_taken');
    assert.equal(((await tryName(r2.url, 'bob')) as { code: string }).code, 'name_taken');
    // Opened again, nothing is recomputed or logged.
    await r2.stop();
    const store = new SqliteStore(r.dataFile);
    assert.deepEqual(store.openingNotes, []);
    store.close();
  });
});
