import * as assert from 'node:assert/strict';
import { checkJoin } from '../../src/protocol/joinForm';

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
