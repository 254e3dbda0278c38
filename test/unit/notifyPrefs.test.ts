import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotifyPrefs, parsePrefs, SNOOZE_UNTIL_RESUMED } from '../../src/client/notifyPrefs';
import { nextMorning, SNOOZE_CHOICES, snoozeEnd, snoozeMinutes } from '../../src/client/snoozeTimes';
import { tempDir } from '../helpers';

const TEAM = 'a'.repeat(32);
const OTHER = 'b'.repeat(32);

// Two windows of one VS Code are two NotifyPrefs on one file: what one chooses, the other reads.
describe('notification preferences on this machine', () => {
  it('mutes and unmutes per team, and another window reads it after refresh()', () => {
    const file = join(tempDir(), 'notify-prefs.json');
    const one = new NotifyPrefs(file);
    const two = new NotifyPrefs(file);
    let heard = 0;
    two.onDidChange(() => heard++);
    one.setMuted(TEAM, 'general', true);
    assert.equal(one.muted(TEAM, 'general'), true);
    assert.equal(one.muted(OTHER, 'general'), false, 'the same conversation id in another team is not muted');
    two.refresh();
    assert.equal(heard, 1, 'the other window hears of the change');
    assert.equal(two.muted(TEAM, 'general'), true);
    two.setMuted(TEAM, 'general', false);
    assert.equal(one.muted(TEAM, 'general'), false);
    assert.equal(new NotifyPrefs(file).muted(TEAM, 'general'), false, 'kept in the file');
  });

  it('follows, leaves and forgets threads; the newest choice wins', () => {
    const p = new NotifyPrefs(join(tempDir(), 'p.json'));
    assert.equal(p.following(TEAM, 'general', 4), undefined);
    p.setFollowing(TEAM, 'general', 4, true);
    p.setFollowing(TEAM, 'general', 5, false);
    assert.deepEqual([p.following(TEAM, 'general', 4), p.following(TEAM, 'general', 5), p.following(TEAM, 'random', 4)], [true, false, undefined]);
    p.setFollowing(TEAM, 'general', 4, false);
    assert.equal(p.following(TEAM, 'general', 4), false);
    p.setFollowing(TEAM, 'general', 4, undefined);
    assert.equal(p.following(TEAM, 'general', 4), undefined);
  });

  it('snoozes until a time, ends by itself, resumes, and snoozes with no end', () => {
    const p = new NotifyPrefs(join(tempDir(), 'p.json'));
    const now = Date.now();
    p.snooze(now + 60_000);
    assert.equal(p.snoozedUntil(now), now + 60_000);
    assert.equal(p.snoozedUntil(now + 60_001), undefined, 'over once its time has passed');
    p.snooze(undefined);
    assert.equal(p.snoozedUntil(now), undefined);
    p.snooze(SNOOZE_UNTIL_RESUMED);
    assert.equal(p.snoozedUntil(now + 10 * 365 * 86_400_000), SNOOZE_UNTIL_RESUMED);
  });

  it('keeps a damaged file aside, says so, starts afresh and writes a good one on the next change', () => {
    const file = join(tempDir(), 'p.json');
    writeFileSync(file, '{"teams": {"aaaa');
    const lines: string[] = [];
    const p = new NotifyPrefs(file, (l) => lines.push(l));
    assert.equal(p.muted(TEAM, 'general'), false);
    assert.match(lines[0] ?? '', /damaged/);
    assert.equal(readFileSync(`${file}.damaged`, 'utf8'), '{"teams": {"aaaa', 'the damaged file is kept aside');
    p.setMuted(TEAM, 'general', true);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { teams: { [TEAM]: { muted: ['general'], threads: [] } } });
  });

  it('keeps only entries of the right shape from the file', () => {
    // (Through JSON.parse, as from the file: "__proto__" is then a key of its own.)
    const parsed = parsePrefs(
      JSON.parse(
        JSON.stringify({
          snoozedUntil: 'soon',
          teams: {
            'not-a-team': { muted: ['general'] },
            [TEAM]: { muted: ['general', '../etc', 7, ''], threads: [['general:4', true], ['general:0', true], ['general:5', 'yes'], 'x', ['a:b:1', false]] },
          },
        }).replace('"teams":{', '"teams":{"__proto__":{"muted":["x"]},'),
      ),
    );
    assert.equal(parsed.snoozedUntil, undefined);
    assert.deepEqual(Object.keys(parsed.teams), [TEAM]);
    assert.deepEqual(parsed.teams[TEAM], { muted: ['general'], threads: [['general:4', true]] });
    assert.equal(Object.getPrototypeOf(parsed.teams), null);
    assert.equal(Object.keys(parsePrefs(null).teams).length, 0);
  });

  it('bounds what it keeps: the oldest muted conversations go first', () => {
    const p = new NotifyPrefs(join(tempDir(), 'p.json'));
    for (let i = 0; i < 1005; i++) p.setMuted(TEAM, `room${i}`, true);
    assert.equal(p.muted(TEAM, 'room0'), false);
    assert.equal(p.muted(TEAM, 'room4'), false);
    assert.equal(p.muted(TEAM, 'room5'), true);
    assert.equal(p.muted(TEAM, 'room1004'), true);
  });

  it('without a file, keeps choices in memory', () => {
    const p = new NotifyPrefs(undefined);
    p.setMuted(TEAM, 'general', true);
    assert.equal(p.muted(TEAM, 'general'), true);
  });
});

describe('snooze times', () => {
  it('offers 30 minutes to 4 hours, the next 9:00 and no end', () => {
    const now = new Date(2026, 11, 3, 14, 5);
    assert.deepEqual(
      SNOOZE_CHOICES.map((c) => snoozeEnd(c.until(now), now)),
      ['14:35', '15:05', '16:05', '18:05', 'tomorrow 9:00', undefined],
    );
    assert.equal(nextMorning(new Date(2026, 11, 3, 7, 30)), new Date(2026, 11, 3, 9, 0).getTime(), 'before 9: today');
    assert.equal(snoozeEnd(new Date(2026, 11, 8, 9, 0).getTime(), now), 'Tue, Dec 8 9:00');
  });

  it('takes whole minutes from 1 to a week from a command argument, and nothing else', () => {
    assert.equal(snoozeMinutes(30), 30);
    for (const bad of [0, -5, 1.5, 10081, '30', null, Infinity, NaN]) assert.throws(() => snoozeMinutes(bad), /whole number of minutes/);
  });
});
