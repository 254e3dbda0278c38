import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { fingerprintOfPem } from '../infra/fingerprint';
import type { Invite } from '../infra/invite';
import { tryLock } from '../infra/pidLock';
import { HostedRelay } from '../relay/hostedRelay';
import { readConfig } from './config';
import { Disposable } from './disposable';
import { ask } from './messages';
import { askText } from './picks';

const HOST_SECRET_KEY = 'parley.hostSecret';

export interface HostChoice {
  port: number;
  /** Listen on the network instead of loopback only. Either way the relay requires the team secret. */
  share: boolean;
  /**
   * Serve wss:// with the kept self-signed certificate. The choice for sharing is TLS; plain
   * ws:// beyond loopback is an explicit choice (and the view warns while hosting that way).
   */
  secure: boolean;
  /** Address to listen on when shared (default 0.0.0.0). */
  address?: string;
  team: string;
  discovery: { enabled: boolean; interface?: string };
}

/** What a window needs to join the relay this machine hosts. */
export interface LocalRelay {
  url: string;
  secret?: string;
  fingerprint?: string;
}

interface LockInfo {
  port: number;
  secure: boolean;
  share: boolean;
}

/** Thrown when another VS Code window on this machine already hosts; says how to reach it. */
export class HostedElsewhere extends Error {
  constructor(readonly local: LocalRelay) {
    super(`another VS Code window on this machine already hosts the team relay (${local.url})`);
  }
}

/**
 * The embedded relay this window hosts: data in the extension's global storage, one host per
 * machine (a lock file says which window and where), the team secret in SecretStorage, the
 * certificate beside the data.
 */
export class Hosting extends Disposable {
  private hosted: HostedRelay | undefined;
  private release: (() => void) | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super(log);
  }

  private get dir(): string {
    return join(this.context.globalStorageUri.fsPath, 'relay');
  }

  get relay(): HostedRelay | undefined {
    return this.hosted;
  }

  /**
   * The team secret this machine's relay requires, shared or not (on a shared machine any local
   * user can reach 127.0.0.1); made once and kept in SecretStorage, which only this OS user reads.
   * This window's own client joins with it.
   */
  async teamSecret(): Promise<string> {
    let s = await this.context.secrets.get(HOST_SECRET_KEY);
    if (!s) {
      s = randomBytes(18).toString('base64url');
      await this.context.secrets.store(HOST_SECRET_KEY, s);
    }
    return s;
  }

  /**
   * Starts the relay. A busy port asks (with `askOnBusy`) whether to take the next one or type
   * another; without it the error is thrown. Returns how this window joins it.
   */
  async start(choice: HostChoice, askOnBusy = true): Promise<LocalRelay> {
    if (this.hosted) return this.local(this.hosted);
    const lock = tryLock<LockInfo>(join(this.dir, 'host.lock'), { port: 0, secure: false, share: false });
    if (!lock.ok) {
      const h = lock.holder;
      throw new HostedElsewhere({
        url: `${h.secure ? 'wss' : 'ws'}://127.0.0.1:${h.port}`,
        secret: await this.teamSecret(),
        ...(h.secure ? { fingerprint: this.keptFingerprint() } : {}),
      });
    }
    try {
      const secret = await this.teamSecret();
      for (let port = choice.port; ; port++) {
        try {
          this.hosted = await HostedRelay.start({
            dataDir: this.dir,
            host: choice.share ? choice.address || '0.0.0.0' : '127.0.0.1',
            share: choice.share,
            port,
            secret,
            tls: choice.secure,
            log: (line) => this.log.info(`[relay] ${line}`),
            // The hosting member owns the team; a rotated secret replaces the kept one (and the invites).
            owner: readConfig().displayName || undefined,
            onSecret: (rotated) => void this.context.secrets.store(HOST_SECRET_KEY, rotated).then(() => this.changed.fire()),
            ...(choice.share && choice.discovery.enabled ? { discovery: { team: choice.team, interface: choice.discovery.interface || undefined } } : {}),
          });
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
          if (!askOnBusy) throw new Error(`port ${port} is in use`);
          const next = await askForPort(port);
          if (next === undefined) throw new Error('hosting cancelled');
          port = next - 1;
        }
      }
    } catch (err) {
      lock.release();
      throw err;
    }
    const h = this.hosted;
    this.release = lock.release;
    tryLock<LockInfo>(join(this.dir, 'host.lock'), { port: h.port, secure: h.secure, share: h.shared });
    this.log.info(
      `hosting on ${h
        .addresses()
        .map((a) => h.url(a))
        .join(', ')}${h.announcing ? ', announced on the network' : ''}; data in ${this.dir}`,
    );
    this.changed.fire();
    return this.local(h);
  }

  private local(h: HostedRelay): LocalRelay {
    return { url: h.url('127.0.0.1'), ...(h.opts.secret ? { secret: h.opts.secret } : {}), ...(h.fingerprint ? { fingerprint: h.fingerprint } : {}) };
  }

  private keptFingerprint(): string | undefined {
    try {
      return fingerprintOfPem(readFileSync(join(this.dir, 'relay-cert.pem'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  invites(team?: string): Invite[] {
    return this.hosted?.invites(team) ?? [];
  }

  async stop(): Promise<void> {
    const h = this.hosted;
    if (!h) return;
    this.hosted = undefined;
    await h.stop('the host stopped the relay');
    this.release?.();
    this.release = undefined;
    this.log.info('stopped hosting');
    this.changed.fire();
  }

  override dispose(): void {
    // The relay stops in the background (VS Code does not wait on disposal); a failure is logged.
    this.stop().catch((err: unknown) => this.log.error(`stopping the hosted relay failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
    super.dispose();
  }
}

async function askForPort(busy: number): Promise<number | undefined> {
  const next = `Use port ${busy + 1}`;
  const pick = await ask('warning', `Port ${busy} is already in use on this machine.`, { modal: true }, next, 'Choose a port…');
  if (pick === next) return busy + 1;
  if (pick !== 'Choose a port…') return undefined;
  const typed = await askText({
    prompt: 'Port for the Parley relay',
    value: String(busy + 1),
    validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'a port from 1 to 65535'),
  });
  return typed ? Number(typed) : undefined;
}
