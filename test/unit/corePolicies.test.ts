import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sanitizeFileName } from '../../src/core/fileNames';
import { mentions, mentionSpans } from '../../src/protocol/mentions';
import { Coalescer, shouldNotify, summarize, type NotifyCandidate, type NotifyContext } from '../../src/core/notifyPolicy';
import { claimSlot, tryLock } from '../../src/core/slotLock';
import { checkJoin } from '../../src/protocol/joinForm';
import { cleanup, tempDir } from '../helpers';

const dm: NotifyCandidate = { conv: 'd1', convTitle: 'bob', isDm: true, authorName: 'bob', text: 'ping', mentionsMe: false };
const room: NotifyCandidate = { conv: 'r1', convTitle: '#general', isDm: false, authorName: 'carol', text: 'lunch?', mentionsMe: false };
const ctx: NotifyContext = { level: 'mentionsAndDms', quietWhileDebugging: true, debugging: false, windowFocused: false, viewVisible: false, isNotifierWindow: true };

describe('notification policy', () => {
  it('by default notifies for DMs and mentions only', () => {
    assert.equal(shouldNotify(dm, ctx), true);
    assert.equal(shouldNotify(room, ctx), false);
    assert.equal(shouldNotify({ ...room, mentionsMe: true }, ctx), true);
    assert.equal(shouldNotify(room, { ...ctx, level: 'all' }), true);
    assert.equal(shouldNotify(dm, { ...ctx, level: 'none' }), false);
  });

  it('notifies a thread\'s participants of its replies, saying it is a reply', () => {
    assert.equal(shouldNotify({ ...room, thread: 4, inMyThread: false }, ctx), false);
    assert.equal(shouldNotify({ ...room, thread: 4, inMyThread: true }, ctx), true);
    assert.equal(shouldNotify({ ...room, thread: 4, inMyThread: true }, { ...ctx, level: 'none' }), false);
    const s = summarize([{ ...room, thread: 4, inMyThread: true }]);
    assert.equal(s.thread, 4);
    assert.match(s.text, /replied in a thread in #/);
  });

  it('stays quiet while the chat is in view, while debugging, and in non-notifier windows', () => {
    assert.equal(shouldNotify(dm, { ...ctx, windowFocused: true, viewVisible: true }), false);
    assert.equal(shouldNotify(dm, { ...ctx, windowFocused: true, viewVisible: false }), true);
    assert.equal(shouldNotify(dm, { ...ctx, debugging: true }), false);
    assert.equal(shouldNotify(dm, { ...ctx, debugging: true, quietWhileDebugging: false }), true);
    assert.equal(shouldNotify(dm, { ...ctx, isNotifierWindow: false }), false);
  });

  it('coalesces a burst into the first message and one summary', () => {
    const shown: string[] = [];
    let fire: (() => void) | undefined;
    const c = new Coalescer<NotifyCandidate>(
      1000,
      (items) => shown.push(summarize(items).text),
      (fn) => {
        fire = fn;
        return 0 as unknown as ReturnType<typeof setTimeout>;
      },
      () => undefined,
    );
    c.add(dm);
    c.add({ ...dm, text: 'two' });
    c.add({ ...room, mentionsMe: true });
    c.add({ ...dm, text: 'four' });
    assert.deepEqual(shown, ['bob: ping']);
    fire!();
    assert.deepEqual(shown, ['bob: ping', '3 new messages from bob, carol']);
    fire!();
    assert.equal(shown.length, 2, 'quiet after the burst');
    c.add(room);
    assert.equal(shown[2], 'carol in #general: lunch?');
  });
});

describe('mentions', () => {
  it('finds the mentions of members and of the room, longest name first, marking mine', () => {
    const spans = mentionSpans('@anna and @Ann, then @here; mail ann@example.com, @annabel? @bob-x', ['ann', 'anna', 'bob'], { room: true, me: 'ann' });
    assert.deepEqual(
      spans.map((s) => [s.name, s.me]),
      [['anna', false], ['ann', true], ['here', true]],
    );
    assert.equal(spans[1].index, 10);
    assert.equal(spans[1].length, 4);
    assert.deepEqual(mentionSpans('@here', ['ann'], { room: false, me: 'ann' }), [], 'no room mentions in a DM');
  });

  it('matches @name as a whole word, and @room/@here in rooms only', () => {
    assert.equal(mentions('hey @Ada, look', 'ada', { room: true }), true);
    assert.equal(mentions('hey @adam', 'ada', { room: true }), false);
    assert.equal(mentions('mail ada@example.com', 'ada', { room: true }), false);
    assert.equal(mentions('@here standup', 'ada', { room: true }), true);
    assert.equal(mentions('@here standup', 'ada', { room: false }), false);
    assert.equal(mentions('cc @a.b', 'a.b', { room: false }), true);
  });
});

describe('file names from other people', () => {
  it('are made safe to save', () => {
    assert.equal(sanitizeFileName('../../etc/passwd'), 'passwd');
    assert.equal(sanitizeFileName('..\\..\\boot.ini'), 'boot.ini');
    assert.equal(sanitizeFileName('CON.txt'), '_CON.txt');
    assert.equal(sanitizeFileName('a\u0000b\u001fc.txt'), 'abc.txt');
    assert.equal(sanitizeFileName('what?.txt'), 'what_.txt');
    assert.equal(sanitizeFileName('..'), 'file');
    assert.equal(sanitizeFileName(''), 'file');
    assert.equal(sanitizeFileName(' .hidden '), 'hidden');
    const long = sanitizeFileName('x'.repeat(300) + '.tar.gz');
    assert.equal(long.length, 200);
    assert.ok(long.endsWith('.gz'));
  });
});

describe('join form', () => {
  it('accepts host:port and fills in ws:// and the default port', () => {
    assert.deepEqual(checkJoin('192.168.1.20', 'ada', ''), { ok: true, url: 'ws://192.168.1.20:7420', name: 'ada' });
    assert.deepEqual(checkJoin(' wss://chat.lan ', 'Ada ', 'longsecret'), { ok: true, url: 'wss://chat.lan', name: 'Ada' });
  });

  it('says which field is wrong', () => {
    assert.deepEqual(checkJoin('', 'ada', ''), { ok: false, field: 'relayUrl', message: 'Enter the relay address, e.g. ws://192.168.1.20:7420' });
    assert.equal((checkJoin('http://x', 'ada', '') as { field: string }).field, 'relayUrl');
    assert.equal((checkJoin('ws://x', 'a/b', '') as { field: string }).field, 'name');
    assert.equal((checkJoin('ws://x', '', '') as { message: string }).message, 'Enter a display name');
    assert.equal((checkJoin('ws://x', 'ada', 'short') as { field: string }).field, 'secret');
  });
});

describe('cache slots', () => {
  afterEach(cleanup);

  it('gives a reloaded window its old slot and a second live window another', async () => {
    const dir = tempDir();
    const a = claimSlot(dir, 'team');
    assert.equal(a.slot, 0);
    assert.equal(claimSlot(dir, 'team').slot, 0, 'same process: same slot');
    // A live other process holds slot 0: we get slot 1.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      const theirs = claimSlot(dir, 'team2', other.pid!);
      assert.equal(theirs.slot, 0);
      assert.equal(claimSlot(dir, 'team2').slot, 1);
    } finally {
      other.kill();
      await new Promise((r) => other.once('exit', r));
    }
    // The other process is gone (a window reload): its slot is free again.
    const dead = claimSlot(join(dir), 'team2');
    assert.equal(dead.slot, 0);
    a.release();
  });
});

describe('host lock', () => {
  afterEach(cleanup);

  it('lets one living process host and tells others where', async () => {
    const file = join(tempDir(), 'relay', 'host.lock');
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      const theirs = tryLock(file, { port: 7421 }, other.pid!);
      assert.ok(theirs.ok);
      const mine = tryLock(file, { port: 7422 });
      assert.ok(!mine.ok);
      assert.equal(mine.holder.port, 7421);
    } finally {
      other.kill();
      await new Promise((r) => other.once('exit', r));
    }
    const after = tryLock(file, { port: 7422 });
    assert.ok(after.ok, 'a dead holder does not block');
    after.release();
    assert.ok(tryLock(file, { port: 1 }).ok);
  });
});
