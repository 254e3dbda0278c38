import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ParleyClient, type ConnectionState } from '../core/client';
import { ClientStore } from '../core/clientStore';
import { newIdentityKey } from '../core/ids';
import { claimSlot } from '../core/slotLock';
import type { CertificateProblem } from '../core/tlsPin';
import type { ConnectionView } from '../protocol/view';
import { readConfig, saveConfig } from './config';
import { Disposable } from './disposable';
import type { Hosting } from './hosting';

const IDENTITY_KEY = 'parley.identityKey';
const secretKey = (url: string) => `parley.teamSecret:${url}`;
/** Pinned certificate fingerprints by relay address (not secret: kept in global state). */
const PINS_KEY = 'parley.certificatePins';

/**
 * Owns this window's connection: the client, its cache file and (when hosting) the embedded
 * relay. Everything else reads state from here and listens to `onDidChange`.
 */
export class Session extends Disposable {
  private _client: ParleyClient | undefined;
  private store: ClientStore | undefined;
  private releaseSlot: (() => void) | undefined;
  private clientSubs: (() => void)[] = [];
  private lastDetail: string | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private readonly clientEmitter = this._register(new vscode.EventEmitter<ParleyClient | undefined>());
  /** Fires when a new client replaces the old one (join, sign-out). */
  readonly onDidChangeClient = this.clientEmitter.event;
  private readonly certificateEmitter = this._register(new vscode.EventEmitter<{ url: string; problem: CertificateProblem }>());
  /** The relay's certificate was refused: not pinned yet (trust on first use) or changed. */
  readonly onCertificateProblem = this.certificateEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    readonly hosting: Hosting,
  ) {
    super();
    this._register(hosting.onDidChange(() => this.changed.fire()));
  }

  get client(): ParleyClient | undefined {
    return this._client;
  }

  /** Connects with the saved settings, if the user has joined before (resuming hosting first when asked to). */
  async restore(resumeHosting: () => Promise<void>): Promise<void> {
    const cfg = readConfig();
    if (cfg.hostOnStartup) {
      try {
        await resumeHosting();
      } catch (err) {
        this.log.error(`could not resume hosting: ${(err as Error).message}`);
      }
    }
    if (cfg.relayUrl && cfg.displayName && !this._client) await this.connect(cfg.relayUrl, cfg.displayName);
  }

  /** Joins a team: saves the address and name, keeps the secret in SecretStorage and the certificate pin in global state, connects. */
  async join(url: string, name: string, secret: string | undefined, fingerprint?: string): Promise<void> {
    if (secret) await this.context.secrets.store(secretKey(url), secret);
    else await this.context.secrets.delete(secretKey(url));
    if (fingerprint) await this.pin(url, fingerprint);
    await saveConfig({ relayUrl: url, displayName: name });
    await this.connect(url, name);
  }

  /** Trusts this certificate for this relay address from now on. */
  async pin(url: string, fingerprint: string): Promise<void> {
    const pins = this.context.globalState.get<Record<string, string>>(PINS_KEY, {});
    await this.context.globalState.update(PINS_KEY, { ...pins, [url]: fingerprint });
  }

  pinned(url: string): string | undefined {
    return this.context.globalState.get<Record<string, string>>(PINS_KEY, {})[url];
  }

  /** What someone needs to join the team this window is connected to. */
  async joinDetails(): Promise<{ url: string; secret?: string; fingerprint?: string } | undefined> {
    const url = readConfig().relayUrl;
    if (!url || !this._client) return undefined;
    const secret = await this.context.secrets.get(secretKey(url));
    const fingerprint = this.pinned(url);
    return { url, ...(secret ? { secret } : {}), ...(fingerprint ? { fingerprint } : {}) };
  }

  /**
   * Connects, one connect at a time: two overlapping ones (startup restore and a join, say) would
   * each claim a cache slot after awaiting secrets, and this process's slot lock would let both
   * open the same cache file, leaving the first client running unseen.
   */
  connect(url: string, name: string): Promise<void> {
    const next = this.connecting.then(() => this.connectNow(url, name));
    this.connecting = next.catch(() => undefined);
    return next;
  }

  private connecting: Promise<void> = Promise.resolve();

  private async connectNow(url: string, name: string): Promise<void> {
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
      ...(this.pinned(url) ? { fingerprint: this.pinned(url) } : {}),
      store: this.store,
      clientName: `parley-vscode/${this.context.extension.packageJSON.version as string}`,
      shareRead: readConfig().shareReadReceipts,
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
      client.on('certificate', (problem) => this.certificateEmitter.fire({ url, problem })),
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

  connection(): ConnectionView {
    const cfg = readConfig();
    const h = this.hosting.relay;
    const hosting = h
      ? { addresses: h.addresses().map((a) => h.url(a)), online: h.relay.onlineCount(), members: h.relay.memberCount(), shared: h.shared, secure: h.secure, announced: h.announcing }
      : undefined;
    const state: ConnectionView['state'] = this._client ? mapState(this._client.state) : 'signedOut';
    const detail = this._client ? this.detail : undefined;
    return { state, ...(detail ? { detail } : {}), ...(cfg.relayUrl ? { relayUrl: cfg.relayUrl } : {}), ...(hosting ? { hosting } : {}) };
  }

  private get detail(): string | undefined {
    return this._client?.state === 'failed' || this._client?.state === 'reconnecting' ? this.lastDetail : undefined;
  }

  override dispose(): void {
    this.disconnect();
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
