import * as vscode from 'vscode';
import { ParleyClient, type ConnectionState } from '../client/client';
import { ClientStore } from '../client/clientStore';
import { hostname } from 'node:os';
import type { Device } from '../protocol/wire';
import { openCache } from './cacheSlot';
import type { CertificateProblem } from '../infra/tlsPin';
import { credentialConflict, type CredentialConflict, type Held } from '../client/heldCredentials';
import type { ConnectionView } from '../protocol/view';
import { readConfig, saveConfig } from './config';
import { Disposable, disposeAll } from './disposable';
import type { Hosting } from './hosting';
import { askAboutConflict, type ConflictChoice } from './credentialPrompt';
import { ClientEvents, type ClientEventMap } from './clientEvents';
import { deviceIdentity, forgetLegacyKey } from './deviceKeys';

const secretKey = (url: string) => `parley.teamSecret:${url}`;
/** Pinned certificate fingerprints by relay address (not secret: kept in global state). */
const PINS_KEY = 'parley.certificatePins';

export type { ClientEventMap } from './clientEvents';

/**
 * Owns this window's connection: the client, its cache file and (when hosting) the embedded
 * relay. Everything else reads state from here and listens to `onDidChange`, or to the
 * client's own events through `onClientEvent` (never on a client itself: sign-out or joining
 * another team replaces it).
 */
export class Session extends Disposable {
  private _client: ParleyClient | undefined;
  private store: ClientStore | undefined;
  private releaseSlot: (() => void) | undefined;
  private clientSubs: { dispose(): void }[] = [];
  private readonly clientEvents = new ClientEvents();
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
    super(log);
    this._register(hosting.onDidChange(() => this.changed.fire()));
  }

  get client(): ParleyClient | undefined {
    return this._client;
  }

  /**
   * Listens to `event` of this window's client, whichever it is: the current one, and each that
   * replaces it (the listener moves over; between clients nothing fires).
   */
  onClientEvent<K extends keyof ClientEventMap>(event: K, fn: ClientEventMap[K]): vscode.Disposable {
    return this.clientEvents.on(event, fn);
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

  /**
   * Joins a team: saves the address and name, keeps the secret in SecretStorage and the
   * certificate pin in global state, connects. Returns whether it joined.
   * An offer that disagrees with a pin or secret already held for the address (or would drop TLS
   * for a relay pinned with it) is never applied silently: `resolve` decides (by default the
   * question in credentialPrompt.ts, safe choice first); keeping joins with what is held.
   * `ownRelay`: this machine's relay (hosting), whose certificate and secret are the truth.
   * An offer without a secret keeps a held one (it no longer deletes it).
   */
  async join(
    url: string,
    name: string,
    secret: string | undefined,
    fingerprint?: string,
    opts: { ownRelay?: boolean; resolve?: (c: CredentialConflict) => Promise<ConflictChoice> } = {},
  ): Promise<boolean> {
    const held: Held = { pins: this.context.globalState.get<Record<string, string>>(PINS_KEY, {}), ...(await this.heldSecret(url)) };
    const conflict = opts.ownRelay ? undefined : credentialConflict({ url, secret, fingerprint }, held);
    let choice: ConflictChoice = 'replace';
    if (conflict) {
      choice = await (opts.resolve ?? askAboutConflict)(conflict);
      this.log.warn(
        `join ${url}: offered ${conflict.certificate ? 'certificate ' : ''}${conflict.secret ? 'secret ' : ''}disagrees with what is held; ${choice ?? 'cancelled'}`,
      );
      if (!choice) return false;
    }
    if (choice === 'keep' && conflict) {
      // Join with what is held: the pinned wss:// address rather than a plain ws:// one, the held secret and pin.
      url = conflict.heldUrl;
      if (secret && !(await this.heldSecret(url)).secret) await this.context.secrets.store(secretKey(url), secret);
    } else {
      if (secret) await this.context.secrets.store(secretKey(url), secret);
      if (fingerprint) await this.pin(url, fingerprint, { replace: true });
    }
    await saveConfig({ relayUrl: url, displayName: name });
    await this.connect(url, name);
    return true;
  }

  private async heldSecret(url: string): Promise<{ secret?: string }> {
    const s = await this.context.secrets.get(secretKey(url));
    return s ? { secret: s } : {};
  }

  /**
   * Trusts this certificate for this relay address from now on. Replacing a different pin needs
   * `replace` (the user chose it: a changed-certificate question, a conflicting invite); without
   * it the held pin stays and this throws.
   */
  async pin(url: string, fingerprint: string, opts: { replace?: boolean } = {}): Promise<void> {
    const pins = this.context.globalState.get<Record<string, string>>(PINS_KEY, {});
    if (pins[url] && pins[url] !== fingerprint && !opts.replace) throw new Error(`a different certificate is already trusted for ${url}; not replaced`);
    await this.context.globalState.update(PINS_KEY, { ...pins, [url]: fingerprint });
  }

  pinned(url: string): string | undefined {
    return this.context.globalState.get<Record<string, string>>(PINS_KEY, {})[url];
  }

  /** Keeps the team secret a rotation made (sent to admins) for the relay this window is in: its invites carry it. */
  async rememberSecret(secret: string): Promise<void> {
    const url = readConfig().relayUrl;
    if (url) await this.context.secrets.store(secretKey(url), secret);
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

  /** Device codes to sign in with on the next connection to a relay (see useDeviceCode). */
  private readonly deviceCodes = new Map<string, string>();
  private readonly devicesEmitter = this._register(new vscode.EventEmitter<Device[]>());
  /** The member's device list changed (a device added or removed, maybe elsewhere). */
  readonly onDidChangeDevices = this.devicesEmitter.event;

  private inviteToken: string | undefined;

  /** Joins as the new member a named invite is for, with its token, on the next connect. */
  useInviteToken(token: string): void {
    this.inviteToken = token;
  }

  /** Signs in as an existing member with a code from one of their devices, on the next connect to `url`. */
  useDeviceCode(url: string, code: string): void {
    this.deviceCodes.set(url, code.trim());
  }

  /** After a sign-in: the device code is used up, and this relay needs the old key no more. */
  private async signedIn(url: string, usedCode: boolean): Promise<void> {
    if (usedCode) this.deviceCodes.delete(url);
    await forgetLegacyKey(this.context, url, this.log);
  }

  private async connectNow(url: string, name: string): Promise<void> {
    this.disconnect();
    const secret = await this.context.secrets.get(secretKey(url));
    const { key, legacyKey } = await deviceIdentity(this.context, url, () => [
      readConfig().relayUrl,
      ...Object.keys(this.context.globalState.get<Record<string, string>>(PINS_KEY, {})),
    ]);
    const deviceCode = this.deviceCodes.get(url);
    // A named invite's token goes with the next connection only (the client keeps it until it is signed in).
    const inviteToken = this.inviteToken;
    this.inviteToken = undefined;
    const cache = openCache(this.context.globalStorageUri.fsPath, url, name);
    this.releaseSlot = cache.release;
    this.store = cache.store;
    const client = new ParleyClient({
      url,
      name,
      key,
      ...(legacyKey ? { legacyKey } : {}),
      ...(deviceCode ? { deviceCode } : {}),
      ...(inviteToken ? { inviteToken } : {}),
      deviceLabel: `${vscode.env.appName} on ${hostname()}`.slice(0, 64),
      ...(secret ? { secret } : {}),
      ...(this.pinned(url) ? { fingerprint: this.pinned(url) } : {}),
      store: cache.store,
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
      client.on('signedIn', (info) => void this.signedIn(url, info.usedCode)),
      client.on('devices', (devices) => this.devicesEmitter.fire(devices)),
    ];
    this.clientEvents.follow(client);
    this.clientEmitter.fire(client);
    client.start();
    fire();
  }

  disconnect(): void {
    const client = this._client;
    const store = this.store;
    const release = this.releaseSlot;
    this._client = undefined;
    this.store = undefined;
    this.releaseSlot = undefined;
    const listeners = this.clientEvents.release();
    // In this order (disposeAll goes last to first): listeners off, client stopped, cache closed, slot released;
    // a step that throws is logged and the rest still happen.
    disposeAll(
      [{ dispose: () => release?.() }, { dispose: () => store?.close() }, { dispose: () => client?.stop() }, ...listeners, ...this.clientSubs.splice(0)],
      'the client',
      this.log,
    );
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
      ? {
          addresses: h.addresses().map((a) => h.url(a)),
          online: h.relay.onlineCount(),
          members: h.relay.memberCount(),
          shared: h.shared,
          secure: h.secure,
          announced: h.announcing,
        }
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
