import * as assert from 'node:assert/strict';
import { mentions, mentionSpans } from '../../src/protocol/mentions';

describe('mentions', () => {
  it('finds the mentions of members and of the room, longest name first, marking mine', () => {
    const spans = mentionSpans('@anna and @Ann, then @here; mail ann@example.com, @annabel? @bob-x', ['ann', 'anna', 'bob'], { room: true, me: 'ann' });
    assert.deepEqual(
      spans.map((s) => [s.name, s.me]),
      [
        ['anna', false],
        ['ann', true],
        ['here', true],
      ],
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
