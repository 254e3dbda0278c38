import type { IncomingMessage } from 'node:http';
import { checkServerIdentity as defaultServerCheck, type PeerCertificate, type TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { CloseCode, MAX_RELAY_FRAME_BYTES, PROTOCOL_HEADER } from '../protocol/constants';
import { decodeRelayFrame, type ClientFrame, type RelayEvent } from '../protocol/wire';
import { Backoff } from './backoff';
import type { ClientOptions, ConnectionState, Emit } from './clientTypes';
import { normalizeFingerprint } from '../infra/fingerprint';
import { CertificateError, relayTlsOptions, type RelayTlsOptions } from '../infra/tlsPin';

/** What the connection tells the rest of the client. */
export interface ConnectionHooks {
  /** One decoded relay frame; returns a reason when the relay refused us for good. */
  frame(events: RelayEvent[]): string | undefined;
  /** The socket ended (or the client stopped): what belonged to it must go. */
  dropped(reason: string): void;
  /** The socket was lost (not stopped): nobody is known to be online any more. */
  lost(): void;
}

/** Close codes after which reconnecting would only be refused again. */
const FATAL_CLOSES: ReadonlySet<number> = new Set([
  CloseCode.unsupportedVersion,
  CloseCode.badSecret,
  CloseCode.nameTaken,
  CloseCode.badName,
  CloseCode.badSignature,
  CloseCode.badCode,
  CloseCode.deviceRemoved,
  CloseCode.removed,
]);

/**
 * The connection state machine: one socket at a time, trusted as tlsPin decides before anything
 * is sent, kept alive by the relay's pings (dropped after 2.5 intervals of silence), and dialled
 * again after a capped, jittered backoff unless the relay refused us for good (`failed`).
 */
export class RelayConnection {
  private ws: WebSocket | undefined;
  private _state: ConnectionState = 'idle';
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private deadTimer: NodeJS.Timeout | undefined;
  /** Bumped by every connect(); a TLS check that finishes after a newer attempt (or stop) is ignored. */
  private connectAttempt = 0;
  /** The certificate the current socket saw (signed into the hello); wss:// only. */
  private seen: string | undefined;

  constructor(
    private readonly opts: ClientOptions,
    private readonly emit: Emit,
    private readonly hooks: ConnectionHooks,
  ) {
    this.backoff = new Backoff(opts.backoff?.baseMs ?? 500, opts.backoff?.maxMs ?? 30_000);
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** The current socket (also before the welcome). */
  get socket(): WebSocket | undefined {
    return this.ws;
  }

  /** Signed in on a live socket: frames other than the handshake may go out. */
  get ready(): boolean {
    return this._state === 'connected' && this.ws !== undefined;
  }

  /** The fingerprint of the certificate the current socket saw. */
  get fingerprint(): string | undefined {
    return this.seen;
  }

  start(): void {
    if (this._state !== 'idle' && this._state !== 'stopped' && this._state !== 'failed') return;
    this.connect();
  }

  /** Closes the connection and stops reconnecting. */
  stop(): void {
    this.setState('stopped');
    this.clearTimers();
    const ws = this.ws;
    this.ws = undefined;
    this.hooks.dropped('client stopped');
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.close(CloseCode.normal);
    }
  }

  /** Reconnects now, skipping any backoff wait (the "Reconnect" command). */
  reconnect(): void {
    this.stop();
    this.backoff.reset();
    this.connect();
  }

  /** The relay welcomed us. */
  welcomed(): void {
    this.setState('connected');
  }

  /**
   * The relay replayed everything we missed: only a connection that got that far counts as
   * healthy, so the backoff starts again from its base (not at the welcome: a relay that welcomes
   * and then fails the replay must not be dialled at full speed for ever).
   */
  healthy(): void {
    this.backoff.reset();
  }

  /** Sends a frame on the current socket if it is open (nothing is queued while it is not). */
  send(frame: ClientFrame): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private connect(): void {
    this.clearTimers();
    this.setState(this.backoff.attempts > 0 ? 'reconnecting' : 'connecting');
    const attempt = ++this.connectAttempt;
    if (!this.opts.url.startsWith('wss:')) {
      this.open({});
      return;
    }
    // wss://: decide how to trust the certificate before anything is sent (see relayTlsOptions).
    relayTlsOptions(this.opts.url, this.opts.fingerprint).then(
      (tls) => {
        if (attempt === this.connectAttempt && this._state !== 'stopped') this.open(tls);
      },
      (err: Error) => {
        if (attempt !== this.connectAttempt || this._state === 'stopped') return;
        this.opts.log?.(`connection error: ${err.message}`);
        if (err instanceof CertificateError) {
          this.emit('certificate', err.problem);
          this.setState('failed', err.message);
          return;
        }
        this.retryLater();
      },
    );
  }

  private open(tls: RelayTlsOptions): void {
    this.seen = undefined;
    let ws: WebSocket;
    try {
      ws = this.dial(tls);
    } catch (err) {
      this.setState('failed', `bad relay address ${this.opts.url}: ${(err as Error).message}`);
      return;
    }
    this.ws = ws;
    this.listen(ws);
  }

  /**
   * Opens the socket. The certificate it saw (signed into the hello) is recorded as TLS verifies
   * it (the same check the pin goes through), else read from the upgrade's socket (see listen);
   * when the extension host's patched https hides both, the pin (which the connection had to match).
   */
  private dial(tls: RelayTlsOptions): WebSocket {
    const Ctor = this.opts.WebSocket ?? WebSocket;
    const headers: Record<string, string> = {};
    if (this.opts.secret) headers.authorization = `Bearer ${this.opts.secret}`;
    const secure = this.opts.url.startsWith('wss:');
    const check = tls.checkServerIdentity ?? defaultServerCheck;
    const checkServerIdentity = (host: string, cert: PeerCertificate) => {
      const err = check(host, cert);
      if (!err && cert.fingerprint256) this.seen = normalizeFingerprint(cert.fingerprint256);
      return err;
    };
    return new Ctor(this.opts.url, {
      headers,
      handshakeTimeout: 10_000,
      perMessageDeflate: false,
      maxPayload: MAX_RELAY_FRAME_BYTES,
      ...tls,
      ...(secure ? { checkServerIdentity } : {}),
    });
  }

  private listen(ws: WebSocket): void {
    /** Why this socket must not be dialled again, once it closes. */
    let fatal: string | undefined;
    const secure = this.opts.url.startsWith('wss:');
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      const code = String(res.headers['x-parley-error'] ?? res.statusCode);
      if (res.statusCode === 401) fatal = 'wrong or missing team secret';
      else if (res.statusCode === 403) fatal = 'the relay refused this client (origin not allowed)';
      this.opts.log?.(`relay answered HTTP ${res.statusCode} (${code})`);
      res.resume();
      ws.terminate();
    });
    // Whether the relay speaks protocol 2 at all (an older one would wait for a hello this client cannot send).
    ws.on('upgrade', (res: IncomingMessage) => {
      const cert = secure && !this.seen ? (res.socket as TLSSocket).getPeerX509Certificate?.() : undefined;
      if (cert) this.seen = normalizeFingerprint(cert.fingerprint256);
      if (secure && !this.seen && this.opts.fingerprint) this.seen = normalizeFingerprint(this.opts.fingerprint);
      if (res.headers[PROTOCOL_HEADER] === undefined) {
        fatal = 'this relay runs an older Parley (protocol 1, before signed sign-in); ask whoever runs it to update it';
      }
    });
    ws.on('open', () => {
      this.armDeadTimer();
      if (fatal) ws.close(CloseCode.normal);
    });
    ws.on('ping', () => this.armDeadTimer());
    ws.on('message', (data) => {
      this.armDeadTimer();
      const decoded = decodeRelayFrame(data.toString());
      if (!decoded.ok) {
        this.opts.log?.(`dropping the connection: ${decoded.message}`);
        ws.terminate();
        return;
      }
      const refused = this.hooks.frame(decoded.value);
      if (refused) fatal = refused;
    });
    ws.on('error', (err) => {
      this.opts.log?.(`connection error: ${err.message}`);
      if (err instanceof CertificateError) {
        fatal = err.message;
        this.emit('certificate', err.problem);
      }
    });
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.hooks.dropped('connection lost');
      if (this._state === 'stopped') return;
      this.hooks.lost();
      if (fatal || FATAL_CLOSES.has(code)) this.setState('failed', fatal ?? (reason.toString() || `closed with ${code}`));
      else this.retryLater();
    });
  }

  private retryLater(): void {
    const wait = this.backoff.next();
    this.setState('reconnecting', `retrying in ${Math.round(wait / 100) / 10} s`);
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  private armDeadTimer(): void {
    if (this.deadTimer) clearTimeout(this.deadTimer);
    const ws = this.ws;
    this.deadTimer = setTimeout(
      () => {
        this.opts.log?.('no frame or ping from the relay; reconnecting');
        ws?.terminate();
      },
      (this.opts.heartbeatMs ?? 30_000) * 2.5,
    );
    this.deadTimer.unref?.();
  }

  private clearTimers(): void {
    for (const t of [this.retryTimer, this.deadTimer]) if (t) clearTimeout(t);
    this.retryTimer = this.deadTimer = undefined;
  }

  private setState(state: ConnectionState, detail?: string): void {
    if (this._state === state && detail === undefined) return;
    this._state = state;
    this.emit('state', state, detail);
  }
}
