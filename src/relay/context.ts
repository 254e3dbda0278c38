import type { ClientFrame } from '../protocol/wire';
import type { Limits } from '../protocol/constants';
import type { TeamAdmin } from './admin';
import type { AuthedConnection } from './connection';
import type { GroupCommit } from './groupCommit';
import type { Hub } from './hub';
import type { MemberRegistry } from './memberRegistry';
import type { NewMemberGate } from './newMembers';
import type { RelayOptions } from './options';
import type { TokenBucket } from './rateLimiter';
import type { RelayAddress } from './relayAddress';
import type { Store } from './store';
import type { TeamSecret } from './teamSecret';
import type { Uploads } from './uploads';

// What a frame handler (src/relay/handlers/) works with: the relay's parts, each owning its own
// state. Handlers hold no state of their own.

export interface RelayContext {
  readonly store: Store;
  readonly limits: Limits;
  readonly opts: RelayOptions;
  /** Connections, conversations, presence and fan-out. */
  readonly hub: Hub;
  /** Roles, removed members, room creators. */
  readonly admin: TeamAdmin;
  readonly secret: TeamSecret;
  /** Who a key signs in as: devices, protocol-1 keys, names, device codes, invites. */
  readonly members: MemberRegistry;
  readonly newMembers: NewMemberGate;
  /** Whether a hello was signed for this relay. */
  readonly addressCheck: RelayAddress;
  /** Messages to store, one transaction per tick. */
  readonly commits: GroupCommit;
  readonly uploads: Uploads;
  /** Each member's frame-rate bucket, shared by all their connections. */
  readonly buckets: Map<string, TokenBucket>;
  log(line: string): void;
}

/** The client frame of type `T`. */
export type Frame<T extends ClientFrame['t']> = Extract<ClientFrame, { t: T }>;

/** Handles one frame of type `T` from a signed-in connection. */
export type Handler<T extends ClientFrame['t']> = (ctx: RelayContext, conn: AuthedConnection, f: Frame<T>) => void;

/** One handler per frame type: a new type in ClientFrame does not compile until it has one. */
export type HandlerTable = { [T in ClientFrame['t']]: Handler<T> };
