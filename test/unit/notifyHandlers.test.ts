import * as assert from 'node:assert/strict';
import { notifyHandlers } from '../../src/host/view/notifyHandlers';

// The view's bell buttons post `mute` and `follow`; a conversation the team does not have (a stale
// or forged view message) is refused with a clear error and changes nothing.
describe("the view's mute and follow messages", () => {
  const changed: string[] = [];
  const host = {
    session: { client: { conversation: (id: string) => (id === 'general' ? { id } : undefined) } },
    prefs: {
      muted: () => false,
      following: () => undefined,
      setMuted: (conv: string, on: boolean) => void changed.push(`mute ${conv} ${on}`),
      setFollowing: (conv: string, root: number, on: boolean | undefined) => void changed.push(`follow ${conv}:${root} ${on}`),
    },
  };
  const h = notifyHandlers(host as never);

  it('mute and follow a conversation of the team', () => {
    changed.length = 0;
    h.mute({ type: 'mute', conv: 'general', on: true });
    h.follow({ type: 'follow', conv: 'general', root: 4, on: true });
    h.mute({ type: 'mute', conv: 'general', on: false });
    assert.deepEqual(changed, ['mute general true', 'follow general:4 true', 'mute general false']);
  });

  it('refuse a conversation the team does not have, changing nothing', () => {
    changed.length = 0;
    assert.throws(() => h.mute({ type: 'mute', conv: 'elsewhere', on: true }), /that conversation is not in this team/);
    assert.throws(() => h.follow({ type: 'follow', conv: 'elsewhere', root: 1, on: true }), /that conversation is not in this team/);
    assert.deepEqual(changed, []);
  });
});
