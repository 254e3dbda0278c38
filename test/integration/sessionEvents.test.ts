import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import type { Session } from '../../src/host/session';
import type { Message } from '../../src/protocol/wire';
import { team, tempDir, waitFor } from '../helpers';
import { loadWith, StubEmitter } from '../unit/stubVscode';
import { memento, recordingLog, viewStub } from './fakeWebview';

// Session.onClientEvent: listeners follow this window's client across a swap (joining as someone
// else makes a new ParleyClient), so no view subscribes to a client of its own.

function startSession(): { session: Session; logged: string[] } {
  const base = viewStub();
  const stub = { ...base, env: { ...base.env, appName: 'Test Code' } };
  const { Session: SessionClass } = loadWith<typeof import('../../src/host/session')>('../../src/host/session', stub);
  const dir = tempDir();
  const secrets = new Map<string, string>();
  const context = {
    globalStorageUri: { fsPath: dir, path: dir, scheme: 'file' },
    globalState: memento(),
    secrets: {
      get: async (k: string) => secrets.get(k),
      store: async (k: string, v: string) => void secrets.set(k, v),
      delete: async (k: string) => void secrets.delete(k),
    },
    extension: { packageJSON: { version: '0.0.0-test' } },
  } as unknown as vscode.ExtensionContext;
  const logged: string[] = [];
  const hosting = { onDidChange: new StubEmitter().event, relay: undefined };
  const session = new SessionClass(context, recordingLog(logged), hosting as never);
  return { session, logged };
}

describe('Session: client events that survive a client swap', () => {
  it('a listener added before any client hears each client in turn, and nothing once disposed', async () => {
    const {
      room,
      members: [bob],
      relay: r,
    } = await team(['bob']);
    const { session } = startSession();
    const heard: string[] = [];
    const text = (m: Message) => (m.body.kind === 'text' ? m.body.text : m.body.kind);
    const sub = session.onClientEvent('message', (m) => heard.push(`${session.client?.self?.name}: ${text(m)}`));
    let synced = 0;
    const syncs = session.onClientEvent('synced', () => synced++);
    try {
      await session.connect(r.url, 'alice');
      await waitFor(() => synced === 1, 'alice synced');
      bob.client.send(room, { kind: 'text', text: 'one' });
      await waitFor(() => heard.includes('alice: one'), 'alice hears one');

      const first = session.client;
      await session.connect(r.url, 'carol');
      assert.notEqual(session.client, first, 'a new client');
      assert.equal(first?.state, 'stopped', 'the old one is stopped');
      await waitFor(() => synced === 2, 'carol synced');
      bob.client.send(room, { kind: 'text', text: 'two' });
      await waitFor(() => heard.includes('carol: two'), 'carol hears two');
      assert.equal(heard.filter((h) => h.endsWith(': two')).length, 1, 'heard once: the old client no longer reports');

      sub.dispose();
      bob.client.send(room, { kind: 'text', text: 'three' });
      await waitFor(() => session.client?.store.messages(room).some((m) => text(m) === 'three'), 'carol has three');
      assert.ok(!heard.some((h) => h.endsWith(': three')), 'a disposed listener hears nothing');
    } finally {
      syncs.dispose();
      session.dispose();
    }
  });

  it('disconnecting logs a step that throws and still does the others', async () => {
    const { relay: r } = await team(['bob']);
    const { session, logged } = startSession();
    await session.connect(r.url, 'alice');
    const client = session.client!;
    const stop = client.stop.bind(client);
    client.stop = () => {
      stop();
      throw new Error('stop went wrong');
    };
    let changed = 0;
    session.onDidChangeClient((c) => c === undefined && changed++);
    session.disconnect();
    assert.equal(session.client, undefined);
    assert.equal(changed, 1, 'the swap to no client is still announced');
    assert.ok(
      logged.some((l) => /^error: while disposing the client: Error: stop went wrong/.test(l)),
      logged.join('\n'),
    );
    // The cache file was closed and its slot released: connecting again as alice reuses slot 0.
    await session.connect(r.url, 'alice');
    assert.match(join(session.client!.store.file ?? ''), /-0\.sqlite$/);
    session.dispose();
  });
});
