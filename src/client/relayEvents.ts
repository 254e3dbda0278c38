import { FATAL_ERRORS } from '../protocol/constants';
import type { RelayEvent, WelcomeEvent } from '../protocol/wire';
import type { ClientCache } from './cacheUpdates';
import type { RelayConnection } from './clientConnection';
import { RelayError, type Emit } from './clientTypes';
import type { FileTransfer } from './fileTransfer';
import type { OutboxPump } from './outboxPump';
import type { PendingRequests } from './pendingRequests';

/** The client's parts a relay event may touch, and the steps that span several of them. */
export interface EventTargets {
  cache: ClientCache;
  pump: OutboxPump;
  files: FileTransfer;
  requests: PendingRequests;
  connection: RelayConnection;
  emit: Emit;
  log: (line: string) => void;
  /** Answers the relay's challenge with a signed hello. */
  challenge(nonce: string, legacy: boolean): void;
  welcome(e: WelcomeEvent): void;
  /** A message left a gap behind a cursor: ask the relay to replay (once at a time). */
  gap(): void;
  /** A conversation was reset to its head: load its latest page. */
  reload(conv: string, head: number): void;
}

/**
 * Handles one event; returns a reason only when the relay refused us for good. Typed `string |
 * undefined`, not `void`, so that a handler cannot hand back whatever a callee returned by
 * accident (a log function's return value would end the connection as refused).
 */
type Handler<T extends RelayEvent['t']> = (e: Extract<RelayEvent, { t: T }>) => string | undefined;
export type RelayEventHandlers = { [T in RelayEvent['t']]: Handler<T> };

/**
 * One handler per relay event type (the compiler demands one for a new type). Answers to requests
 * are handed to their caller before this table (see ParleyClient), so the events that only
 * answer (history, rooms, results, …) do nothing here.
 */
export function relayEventHandlers(p: EventTargets): RelayEventHandlers {
  const answered = () => undefined;
  return {
    challenge: (e) => {
      if (p.connection.state === 'connected') return 'the relay asked this connection to sign in twice';
      p.challenge(e.nonce, e.legacy === true);
      return undefined;
    },
    welcome: (e) => void p.welcome(e),
    msg: (e) => void (p.cache.msg(e.m) && p.gap()),
    ack: (e) => void p.pump.acked(e),
    reset: (e) => void (p.cache.reset(e) && p.reload(e.conv, e.head)),
    synced: () => {
      p.connection.healthy();
      p.emit('synced');
      return undefined;
    },
    conv: (e) => void p.cache.conv(e.conversation),
    left: (e) => void p.cache.left(e.conv),
    member: (e) => void p.cache.member(e.member),
    presence: (e) => void p.cache.presence(e.user, e.state),
    read: (e) => void p.cache.read(e.conv, e.seq),
    seen: (e) => void p.cache.seen(e.conv, e.user, e.seq),
    typing: (e) => void p.emit('typing', e.conv, e.user),
    devices: (e) => void p.emit('devices', e.devices),
    secret: (e) => void p.emit('secret', e.secret),
    'upload.ready': (e) => void p.files.ready(e.id, e.next),
    bye: (e) => void p.log(`relay going away: ${e.reason}`),
    error: (e) => onError(p, e.code, e.message, e.ref),
    history: answered,
    rooms: answered,
    results: answered,
    'file.chunk': answered,
    'device.code': answered,
    invite: answered,
  };
}

/** An error for a request or an outbox entry fails that one; any other is the connection's. */
function onError(p: EventTargets, code: string, message: string, ref: string | undefined): string | undefined {
  if (ref !== undefined && p.requests.fail(ref, new RelayError(code, message))) return undefined;
  if (ref !== undefined && p.pump.refused(ref, code, message)) return undefined;
  p.log(`relay error ${code}: ${message}`);
  p.emit('error', code, message);
  return FATAL_ERRORS.has(code) ? message : undefined;
}
