// A teammate without a window: a real ParleyClient in the test process, signed in to the test's
// relay with a cache file of its own in a scratch folder (not the workspace: it would show in the
// Explorer). test/helpers' clients are closed after every test; this one lives until close(), so a
// whole file's scenarios can use it.
import * as path from 'node:path';
import { ParleyClient } from '../../src/client/client';
import { ClientStore } from '../../src/client/clientStore';
import { newIdentitySecret } from '../../src/infra/identity';
import { waitFor, withTimeout } from '../helpers';
import { makeScratchDir, removeScratchDir } from './parley';

export interface Member {
  client: ParleyClient;
  /** Sends `text` (in a thread under `thread`); resolves with its seq once the relay has stored it. */
  send(conv: string, text: string, thread?: number): Promise<number>;
  /** The id of #general. */
  general(): string;
  /** Stops the client and removes its cache folder. */
  close(): void;
}

export async function signInMember(url: string, name: string): Promise<Member> {
  const dir = makeScratchDir(`parley-e2e-${name}-`);
  const store = new ClientStore(path.join(dir, `.${name}.sqlite`));
  const client = new ParleyClient({ url, name, key: newIdentitySecret(), store });
  const synced = new Promise<void>((resolve) => {
    const off = client.on('synced', () => (off(), resolve()));
  });
  client.start();
  await withTimeout(synced, 15_000, `${name} did not sync`);
  return {
    client,
    async send(conv, text, thread) {
      client.send(conv, { kind: 'text', text, ...(thread !== undefined ? { thread } : {}) });
      const m = await waitFor(
        () => client.messages(conv, { scope: 'any' }).find((x) => x.body.kind === 'text' && x.body.text === text),
        `${name}'s "${text}" stored`,
        15_000,
      );
      return m.seq;
    },
    general() {
      const g = client.conversations().find((x) => x.kind === 'room' && x.name === 'general');
      if (!g) throw new Error('no #general');
      return g.id;
    },
    close() {
      client.stop();
      store.close();
      removeScratchDir(dir);
    },
  };
}
