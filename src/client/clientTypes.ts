import type WebSocket from 'ws';
import { ErrorCode } from '../protocol/constants';
import type { Conversation, Device, Member, Message } from '../protocol/wire';
import type { ClientStore } from './clientStore';
import type { CertificateProblem } from '../infra/tlsPin';

// The types ParleyClient's parts share (options, events, states), apart from the parts
// themselves so that each can import them without importing the others.

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'stopped';

export interface ClientOptions {
  /** ws:// or wss:// address of the relay. */
  url: string;
  name: string;
  /** This device's identity secret (see newIdentitySecret): signs every sign-in; never sent. */
  key: string;
  /**
   * A protocol-1 identity key, sent (once) to exchange it for this device key at a relay where
   * the member still has it. Only give it for relays that already know it.
   */
  legacyKey?: string;
  /** A one-time code from another of the member's devices: signs this device in as that member. */
  deviceCode?: string;
  /** What the member's device list calls this device. */
  deviceLabel?: string;
  /** A named invite's token: joins as a new member under that name, without the team secret. */
  inviteToken?: string;
  /** Team secret, when the relay requires one. */
  secret?: string;
  /**
   * For wss:// relays with a self-signed certificate: its SHA-256 fingerprint. Without it a
   * wss:// relay's certificate must verify against the system's CAs. A certificate that does not
   * match fails the connection (state `failed`, event `certificate`) before the secret is sent.
   */
  fingerprint?: string;
  store: ClientStore;
  /** WebSocket constructor; tests inject one to sit between client and relay. */
  WebSocket?: typeof WebSocket;
  backoff?: { baseMs?: number; maxMs?: number };
  /** The relay's ping interval; the connection is dropped after 2.5 of them without a frame. */
  heartbeatMs?: number;
  requestTimeoutMs?: number;
  clientName?: string;
  /** Let other members see how far I have read ("seen by"); sent after every handshake. Default true. */
  shareRead?: boolean;
  log?: (line: string) => void;
}

export interface ConversationState extends Conversation {
  unread: number;
}

export type DeliveryState = 'queued' | 'sent' | 'failed';

export interface OutboxUpdate {
  id: string;
  conv: string;
  state: DeliveryState;
  seq?: number;
  error?: string;
}

export type ClientEvents = {
  state: (state: ConnectionState, detail?: string) => void;
  ready: () => void;
  synced: () => void;
  message: (m: Message) => void;
  conversation: (c: ConversationState) => void;
  left: (conv: string) => void;
  members: (members: Member[]) => void;
  typing: (conv: string, user: string) => void;
  outbox: (u: OutboxUpdate) => void;
  upload: (id: string, sent: number, total: number) => void;
  reset: (conv: string, reason: string) => void;
  error: (code: string, message: string) => void;
  /** The relay's certificate was refused (unknown or changed); nothing was sent to it. */
  certificate: (problem: CertificateProblem) => void;
  /** A new team secret (after an admin rotated it; sent to admins only). */
  secret: (secret: string) => void;
  /** Signed in: this device's id, and whether the legacy key or device code was used up. */
  signedIn: (info: { device?: string; usedLegacy: boolean; usedCode: boolean }) => void;
  /** The member's devices changed (one added or removed, here or on another device). */
  devices: (devices: Device[]) => void;
};

/** How a part of the client raises one of ParleyClient's events. */
export type Emit = <K extends keyof ClientEvents>(event: K, ...args: Parameters<ClientEvents[K]>) => void;

/** An error the relay answered with (code from docs/PROTOCOL.md). */
export class RelayError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Error codes after which an outbox entry is sent again (later) instead of failing. */
export const RETRYABLE: ReadonlySet<string> = new Set<string>([ErrorCode.rateLimited, ErrorCode.internal]);
