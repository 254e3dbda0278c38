import { strict as assert } from 'node:assert';
import { isSignedIn } from '../../src/protocol/view';

// Issue 13, bug 5: on "name taken" the title bar still offered Search, Switch, DM and Create Room
// while the view showed the join form. Both now ask isSignedIn().
describe('signed in, for the view and the title bar alike', () => {
  it('is not while a first join connects, retries or was refused', () => {
    for (const state of ['connecting', 'reconnecting', 'failed'] as const) assert.equal(isSignedIn(state, false), false, state);
    assert.equal(isSignedIn('signedOut', true), false);
  });

  it('is once a team has welcomed this window, also while it reconnects or fails later', () => {
    for (const state of ['connected', 'connecting', 'reconnecting', 'failed', 'stopped'] as const) assert.equal(isSignedIn(state, true), true, state);
    assert.equal(isSignedIn('connected', false), true);
  });
});
