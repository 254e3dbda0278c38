import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ParleyClient, type ConnectionState } from '../core/client';
import { ClientStore } from '../core/clientStore';
import { newIdentityKey } from '../core/ids';
import { claimSlot, tryLock } from '../core/slotLock';
import type { ConnectionView } from '../protocol/view';
import { Relay } from '../relay/relay';
import { SqliteStore } from '../relay/sqliteStore';
import { readConfig, saveConfig } from './config';
import { Disposable } from './disposable';

const IDENTITY_KEY = 'parley.identityKey';
const secretKey = (url: string) => `parley.teamSecret:${url}`;

interface Hosted {
  relay: Relay;
  store: SqliteStore;
  port: number;
  release(): void;
}

/** Thrown when another VS Code window on this machine already hosts; it says where. */
export class HostedElsewhere extends Error {
  constructor(readonly port: number) {
    super(`another VS Code window on this machine already hosts the team relay (ws://127.0.0.1:${port})`);
  }
}

/**
 * Owns this window's connection: the client, its cache file and (when hosting) the embedded
 * relay. Everything else reads state from here and listens to `onDidChange`.
 */
export class Session extends Disposable {
  private _client: ParleyClient | undefined;
  private store: ClientStore | undefined;
  private releaseSlot: (() => void) | undefined;
  private clientSubs: (() => void)[] = [];
  private hosted: Hosted | undefined;
  private lastDetail: string | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private readonly clientEmitter = this._register(new vscode.EventEmitter<ParleyClient | undefined>());
  /** Fires when a new client replaces the old one (join, sign-out). */
  readonly onDidChangeClient = this.clientEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
  }

  get client(): ParleyClient | undefined {
    return this._client;
  }

  get hosting(): { port: number; online: number } | undefined {
    return this.hosted ? { port: this.hosted.port, online: this.hosted.relay.onlineCount() } : undefined;
  }

  /** Connects with the saved settings, if the user has joined before. */
  async restore(): Promise<void> {
    const cfg = readConfig();
    if (cfg.hostOnStartup) {
      try {
        await this.startHosting(cfg.hostPort, false);
      } catch (err) {
        this.log.error(`could not resume hosting: ${(err as Error).message}`);
      }
    }
    if (cfg.relayUrl && cfg.displayName) await this.connect(cfg.relayUrl, cfg.displayName);
  }

  /** Joins a team: saves the address and name, keeps the secret in SecretStorage, connects. */
  async join(url: string, name: string, secret: string | undefined): Promise<void> {
    if (secret) await this.context.secrets.store(secretKey(url), secret);
    else await this.context.secrets.delete(secretKey(url));
    await saveConfig({ relayUrl: url, displayName: name });
    await this.connect(url, name);
  }

  async connect(url: string, name: string): Promise<void> {
    this.disconnect();
    const secret = await this.context.secrets.get(secretKey(url));
    let key = await this.context.secrets.get(IDENTITY_KEY);
    if (!key) {
      key = newIdentityKey();
      await this.context.secrets.store(IDENTITY_KEY, key);
    }
    const dir = join(this.context.globalStorageUri.fsPath, 'cache');
    const base = createHash('sha256').update(`${url}\n${name.toLowerCase()}`).digest('hex').slice(0, 16);
    const slot = claimSlot(dir, base);
    this.releaseSlot = slot.release;
    this.store = new ClientStore(join(dir, `${base}-${slot.slot}.sqlite`));
    const client = new ParleyClient({
      url,
      name,
      key,
      ...(secret ? { secret } : {}),
      store: this.store,
      clientName: `parley-vscode/${this.context.extension.packageJSON.version as string}`,
      log: (line) => this.log.info(line),
    });
    this._client = client;
    const fire = () => this.changed.fire();
    this.clientSubs = [
      client.on('state', (s, detail) => {
        this.lastDetail = detail;
        this.log.info(`connection: ${s}${detail ? ` (${detail})` : ''}`);
        fire();
      }),
      client.on('conversation', fire),
      client.on('left', fire),
      client.on('members', fire),
      client.on('message', fire),
      client.on('outbox', fire),
      client.on('ready', fire),
      client.on('reset', fire),
    ];
    this.clientEmitter.fire(client);
    client.start();
    fire();
  }

  disconnect(): void {
    for (const off of this.clientSubs.splice(0)) off();
    this._client?.stop();
    this._client = undefined;
    this.store?.close();
    this.store = undefined;
    this.releaseSlot?.();
    this.releaseSlot = undefined;
    this.clientEmitter.fire(undefined);
    this.changed.fire();
  }

  async signOut(): Promise<void> {
    const url = readConfig().relayUrl;
    this.disconnect();
    if (url) await this.context.secrets.delete(secretKey(url));
    await saveConfig({ relayUrl: '' });
  }

  /**
   * Starts the embedded relay on loopback. With `askOnBusy`, a busy port offers the next free
   * one; otherwise the error is thrown. Returns the port.
   */
  async startHosting(port: number, askOnBusy = true): Promise<number> {
    if (this.hosted) return this.hosted.port;
    const dir = join(this.context.globalStorageUri.fsPath, 'relay');
    const file = join(dir, 'relay.sqlite');
    // One relay per data folder: a second window connects to the first one's relay instead.
    const lock = tryLock(join(dir, 'host.lock'), { port: 0 });
    if (!lock.ok) throw new HostedElsewhere(lock.holder.port);
    try {
      return await this.listenRelay(file, port, askOnBusy, lock.release);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  private async listenRelay(file: string, port: number, askOnBusy: boolean, release: () => void): Promise<number> {
    const lockFile = join(file, '..', 'host.lock');
    for (let attempt = port; ; attempt++) {
      const store = new SqliteStore(file);
      const relay = new Relay({ store, host: '127.0.0.1', port: attempt, log: (line) => this.log.info(`[relay] ${line}`) });
      try {
        const addr = await relay.listen();
        this.hosted = { relay, store, port: addr.port, release };
        tryLock(lockFile, { port: addr.port });
        this.log.info(`hosting a relay on ws://127.0.0.1:${addr.port}, data in ${file}`);
        this.changed.fire();
        return addr.port;
      } catch (err) {
        store.close();
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
        if (!askOnBusy) throw new Error(`port ${attempt} is in use`);
        const next = `Use port ${attempt + 1}`;
        const pick = await vscode.window.showWarningMessage(`Port ${attempt} is already in use on this machine.`, { modal: true }, next, 'Choose a port…');
        if (pick === 'Choose a port…') {
          const typed = await vscode.window.showInputBox({
            prompt: 'Port for the Parley relay',
            value: String(attempt + 1),
            validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'a port from 1 to 65535'),
          });
          if (!typed) throw new Error('hosting cancelled');
          attempt = Number(typed) - 1;
          continue;
        }
        if (pick !== next) throw new Error('hosting cancelled');
      }
    }
  }

  async stopHosting(): Promise<void> {
    const h = this.hosted;
    if (!h) return;
    this.hosted = undefined;
    await h.relay.close('the host stopped the relay');
    h.store.close();
    h.release();
    this.log.info('stopped hosting');
    this.changed.fire();
  }

  connection(): ConnectionView {
    const cfg = readConfig();
    const hosting = this.hosted ? { address: `ws://127.0.0.1:${this.hosted.port}`, online: this.hosted.relay.onlineCount() } : undefined;
    const state: ConnectionView['state'] = this._client ? mapState(this._client.state) : 'signedOut';
    const detail = this._client ? this.detail : undefined;
    return { state, ...(detail ? { detail } : {}), ...(cfg.relayUrl ? { relayUrl: cfg.relayUrl } : {}), ...(hosting ? { hosting } : {}) };
  }

  private get detail(): string | undefined {
    return this._client?.state === 'failed' || this._client?.state === 'reconnecting' ? this.lastDetail : undefined;
  }

  override dispose(): void {
    this.disconnect();
    void this.stopHosting();
    super.dispose();
  }
}

function mapState(s: ConnectionState): ConnectionView['state'] {
  switch (s) {
    case 'idle':
    case 'connecting':
      return 'connecting';
    default:
      return s;
  }
}
