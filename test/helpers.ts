import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ParleyClient, type ClientOptions } from '../src/client/client';
import { ClientStore } from '../src/client/clientStore';
import { loadIdentity, newIdentitySecret } from '../src/infra/identity';
import { PROTOCOL_VERSION } from '../src/protocol/constants';
import { helloPayload } from '../src/protocol/handshake';
import { Relay, type RelayOptions } from '../src/relay/relay';
import { SqliteStore } from '../src/relay/sqliteStore';

/** Temp folders made by the running test; removed by cleanup(). */
const dirs: string[] = [];
const closers: (() => unknown)[] = [];

/** Runs `fn` in cleanup() (after each test), even when the test failed. */
export function onCleanup(fn: () => unknown): void {
  closers.push(fn);
}

export function tempDir(prefix = 'parley-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export interface TestRelay {
  relay: Relay;
  store: SqliteStore;
  url: string;
  port: number;
  dataFile: string;
  stop(): Promise<void>;
}

/** A real relay on 127.0.0.1 with a real SQLite file. `port` reuses a port (for restarts). */
export async function startRelay(opts: Partial<Omit<RelayOptions, 'store'>> & { dataFile?: string } = {}): Promise<TestRelay> {
  const dataFile = opts.dataFile ?? join(tempDir(), 'relay.sqlite');
  const store = new SqliteStore(dataFile);
  const relay = new Relay({ host: '127.0.0.1', port: 0, ...opts, store });
  const addr = await relay.listen();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await relay.close();
    store.close();
  };
  closers.push(stop);
  return { relay, store, url: `ws://127.0.0.1:${addr.port}`, port: addr.port, dataFile, stop };
}

export interface TestClient {
  client: ParleyClient;
  store: ClientStore;
  key: string;
  cacheFile: string;
  close(): void;
}

export function makeClient(url: string, name: string, opts: Partial<ClientOptions> & { cacheFile?: string } = {}): TestClient {
  const cacheFile = opts.cacheFile ?? join(tempDir(), `${name}.sqlite`);
  const store = new ClientStore(cacheFile);
  const key = opts.key ?? newIdentitySecret();
  const client = new ParleyClient({ url, name, key, store, backoff: { baseMs: 20, maxMs: 200 }, ...opts });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    client.stop();
    store.close();
  };
  closers.push(close);
  return { client, store, key, cacheFile, close };
}

/** Starts a client and resolves once it is connected and caught up. */
export async function connect(url: string, name: string, opts: Partial<ClientOptions> & { cacheFile?: string } = {}): Promise<TestClient> {
  const c = makeClient(url, name, opts);
  const synced = new Promise<void>((resolve) => {
    const off = c.client.on('synced', () => {
      off();
      resolve();
    });
  });
  c.client.start();
  await withTimeout(synced, 5000, `${name} did not sync`);
  return c;
}

export interface TestTeam<N extends readonly string[]> {
  relay: TestRelay;
  /** #general's id, as the first member sees it. */
  room: string;
  /** One connected client per name, in the order given. */
  members: { [K in keyof N]: TestClient };
}

/**
 * The prologue most integration tests share: a relay on 127.0.0.1 (port 0) with `opts`, then
 * `names` connected one after the other (each caught up before the next, so the first is the
 * team's first member and owner), and #general:
 * `const { relay: r, room, members: [alice, bob] } = await team(['alice', 'bob']);`
 */
export async function team<const N extends readonly string[]>(names: N, opts: Parameters<typeof startRelay>[0] = {}): Promise<TestTeam<N>> {
  const relay = await startRelay(opts);
  const members: TestClient[] = [];
  for (const name of names) members.push(await connect(relay.url, name));
  if (members.length === 0) throw new Error('a team needs at least one member');
  return { relay, room: general(members[0]), members: members as { [K in keyof N]: TestClient } };
}

export async function waitFor<T>(fn: () => T | undefined | null | false, what: string, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** Texts of the text messages a client has cached for a conversation, in seq order. */
export function texts(c: TestClient, conv: string): string[] {
  return c.client.messages(conv, { limit: 10_000 }).map((m) => (m.body.kind === 'text' ? m.body.text : `<${m.body.kind}>`));
}

export function general(c: TestClient): string {
  const g = c.client.conversations().find((x) => x.kind === 'room' && x.name === 'general');
  if (!g) throw new Error('no #general');
  return g.id;
}

/** A raw protocol client, for tests that speak the wire directly. */
export class RawClient {
  readonly events: Record<string, unknown>[] = [];
  closeCode: number | undefined;
  closeReason = '';
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      for (const e of JSON.parse(data.toString()) as Record<string, unknown>[]) this.events.push(e);
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
    ws.on('error', () => undefined);
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const ws = new WebSocket(url, { headers });
    const raw = new RawClient(ws);
    closers.push(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode} ${String(res.headers['x-parley-error'])}`)));
    });
    return raw;
  }

  static async hello(url: string, name: string, key = newIdentitySecret()): Promise<RawClient> {
    const raw = await RawClient.open(url);
    await raw.signIn(url, name, key);
    await raw.next('welcome');
    return raw;
  }

  /** Answers the relay's challenge with a hello signed by `key` (does not wait for the welcome). */
  async signIn(url: string, name: string, key = newIdentitySecret(), extra: HelloExtra = {}): Promise<void> {
    const challenge = (await this.next('challenge')) as { nonce: string };
    this.send(signedHello(key, challenge.nonce, url, name, extra));
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async next(t: string, pred: (e: Record<string, unknown>) => boolean = () => true, timeoutMs = 5000): Promise<Record<string, unknown>> {
    return waitFor(() => this.events.find((e) => e.t === t && pred(e)), `${t} event`, timeoutMs);
  }

  async closed(timeoutMs = 5000): Promise<number> {
    return waitFor(() => this.closeCode, 'close', timeoutMs);
  }

  welcome(): { you: { id: string }; conversations: { id: string; name: string }[] } {
    return this.events.find((e) => e.t === 'welcome') as never;
  }
}

export interface HelloExtra {
  code?: string;
  legacy?: string;
  device?: string;
  fingerprint?: string;
  /** Sign for this address instead of `url` (as a relay in between would get). */
  signedFor?: string;
}

/** A hello frame for `name`, signed by the identity secret `key` over `nonce` and the relay at `url`. */
export function signedHello(key: string, nonce: string, url: string, name: string, extra: HelloExtra = {}): Record<string, unknown> {
  const id = loadIdentity(key);
  const relay = extra.signedFor ?? url;
  const sig = id.sign(
    helloPayload({ v: PROTOCOL_VERSION, nonce, relay, fingerprint: extra.fingerprint, name, key: id.publicKey, code: extra.code, legacy: extra.legacy }),
  );
  return {
    t: 'hello',
    v: PROTOCOL_VERSION,
    name,
    key: id.publicKey,
    sig,
    relay,
    ...(extra.fingerprint ? { fingerprint: extra.fingerprint } : {}),
    ...(extra.code ? { code: extra.code } : {}),
    ...(extra.legacy ? { legacy: extra.legacy } : {}),
    ...(extra.device ? { device: extra.device } : {}),
  };
}

/**
 * Signs a plain `ws` socket in: waits for the challenge (the first frame), answers with a signed
 * hello; resolves once the hello is sent. For tests that drive sockets by hand (sleepers, floods).
 * Call it right after making the socket: the challenge may arrive before an awaited `open` resumes.
 */
export function rawSignIn(ws: WebSocket, url: string, name: string, key = newIdentitySecret()): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const events = JSON.parse(data.toString()) as { t: string; nonce?: string }[];
      const c = events.find((e) => e.t === 'challenge');
      if (!c?.nonce) return;
      ws.off('message', onMessage);
      ws.send(JSON.stringify(signedHello(key, c.nonce, url, name)));
      resolve();
    };
    ws.on('message', onMessage);
    ws.once('error', reject);
    ws.once('close', () => reject(new Error('closed before the challenge')));
  });
}

export async function cleanup(): Promise<void> {
  for (const c of closers.splice(0).reverse()) await c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

// One root hook for every suite that imports these helpers: mocha registers a hook called outside
// any `describe` on the root suite, so cleanup() runs after each test of every file. It lives here
// rather than in .mocharc's `require` because single files, the fault suites and the e2e scenarios
// run with --no-config, where a hook listed there would silently go missing (and a relay left
// listening keeps mocha from exiting). Child processes that import a helper have no mocha.
if (typeof afterEach === 'function') afterEach(cleanup);
