import { PROTOCOL_VERSION } from '../protocol/constants';
import { helloPayload } from '../protocol/handshake';
import type { HelloFrame } from '../protocol/wire';
import type { ClientOptions } from './clientTypes';
import { loadIdentity, type Identity } from '../infra/identity';

/** What a sign-in used up (see the client's `signedIn` event). */
export interface SignedIn {
  device?: string;
  usedLegacy: boolean;
  usedCode: boolean;
}

/**
 * The client's side of the handshake: the signed `hello` answering a `challenge`, and what one
 * sign-in uses up (a device code or a named invite is good once, the protocol-1 key is exchanged
 * once), so that a reconnect after a welcome does not offer them again.
 */
export class SignIn {
  private identity: Identity | undefined;
  /** The device code, until a sign-in used it. */
  private pendingCode: string | undefined;
  /** The named invite's token, until a sign-in used it. */
  private pendingInvite: string | undefined;
  private sentLegacy = false;
  private legacyUsed = false;
  private _device: string | undefined;

  constructor(private readonly opts: ClientOptions) {
    this.pendingCode = opts.deviceCode;
    this.pendingInvite = opts.inviteToken;
  }

  /** This connection's device id (after sign-in). */
  get device(): string | undefined {
    return this._device;
  }

  /**
   * The hello for a challenge's nonce, signed over the relay as dialled and the certificate this
   * connection saw (`fingerprint`, wss:// only). `legacy`: the relay still has protocol-1 members.
   */
  hello(nonce: string, legacy: boolean, fingerprint: string | undefined): HelloFrame {
    if (!this.identity) this.identity = loadIdentity(this.opts.key);
    const { name, url: relay } = this.opts;
    const key = this.identity.publicKey;
    const code = this.pendingCode;
    const invite = this.pendingInvite;
    const sendLegacy = legacy && this.opts.legacyKey !== undefined && !this.legacyUsed ? this.opts.legacyKey : undefined;
    this.sentLegacy = sendLegacy !== undefined;
    const signed = { v: PROTOCOL_VERSION, nonce, relay, fingerprint, name, key, code, legacy: sendLegacy };
    return {
      t: 'hello',
      v: PROTOCOL_VERSION,
      name,
      key,
      sig: this.identity.sign(helloPayload(signed)),
      relay,
      ...(fingerprint ? { fingerprint } : {}),
      ...(code !== undefined ? { code } : {}),
      ...(invite !== undefined ? { invite } : {}),
      ...(sendLegacy !== undefined ? { legacy: sendLegacy } : {}),
      ...(this.opts.deviceLabel ? { device: this.opts.deviceLabel.slice(0, 64) } : {}),
      client: this.opts.clientName ?? 'parley-core',
    };
  }

  /** The relay welcomed the last hello: what it used is spent. */
  welcomed(device: string | undefined): SignedIn {
    this._device = device;
    const usedCode = this.pendingCode !== undefined || this.pendingInvite !== undefined;
    this.pendingCode = undefined;
    this.pendingInvite = undefined;
    if (this.sentLegacy) this.legacyUsed = true;
    return { ...(device ? { device } : {}), usedLegacy: this.sentLegacy, usedCode };
  }
}
