import * as assert from 'node:assert/strict';
import { unreadAfter, type Listed } from '../../src/client/unreadNav';

describe('next and previous unread conversation', () => {
  const list: Listed[] = [
    { id: 'general', unread: 0 },
    { id: 'dm-bob', unread: 2 },
    { id: 'release', unread: 0 },
    { id: 'old', unread: 5, archived: true },
    { id: 'dm-carol', unread: 1 },
  ];

  it('moves forwards and backwards in the listed order, wrapping around, past archived rooms', () => {
    assert.equal(unreadAfter(list, 'general', 1), 'dm-bob');
    assert.equal(unreadAfter(list, 'dm-bob', 1), 'dm-carol');
    assert.equal(unreadAfter(list, 'dm-carol', 1), 'dm-bob', 'wraps to the top');
    assert.equal(unreadAfter(list, 'release', -1), 'dm-bob');
    assert.equal(unreadAfter(list, 'dm-bob', -1), 'dm-carol', 'wraps to the bottom');
  });

  it('starts at an end without an open conversation, and says when nothing else is unread', () => {
    assert.equal(unreadAfter(list, undefined, 1), 'dm-bob');
    assert.equal(unreadAfter(list, undefined, -1), 'dm-carol');
    assert.equal(
      unreadAfter(
        [
          { id: 'a', unread: 3 },
          { id: 'b', unread: 0 },
        ],
        'a',
        1,
      ),
      undefined,
      'only the open one is unread',
    );
    assert.equal(unreadAfter([], 'a', 1), undefined);
  });
});
