import type { ClientFrame, RelayEvent } from './wire';

// Which relay event answers which client request. A request is a client frame with a `rid`; the
// relay answers it with one event carrying the same `rid`, or with an `error` whose `ref` is that
// `rid`. docs/PROTOCOL.md describes each pair; keep the three in step.

/** A client frame the relay answers by `rid`. */
export type RequestFrame = Extract<ClientFrame, { rid: string }>;
export type RequestType = RequestFrame['t'];
/** A relay event that can carry a `rid` (some also go out unasked, without one). */
export type ReplyEvent = Extract<RelayEvent, { rid?: string }>;

/**
 * The event type(s) that answer each request type. `satisfies` makes the compiler demand an entry
 * for every frame with a `rid` and refuse a reply type that cannot carry one.
 */
export const REPLIES = {
  sync: ['synced'],
  history: ['history'],
  fetch: ['file.chunk'],
  search: ['results'],
  'room.create': ['conv'],
  'room.join': ['conv'],
  'room.leave': ['left'],
  'room.list': ['rooms'],
  'dm.open': ['conv'],
  'device.code': ['device.code'],
  'device.list': ['devices'],
  'device.remove': ['devices'],
  'invite.make': ['invite'],
  'member.remove': ['member'],
  'member.role': ['member'],
  'secret.rotate': ['secret'],
} as const satisfies { [T in RequestType]: readonly ReplyEvent['t'][] };

/** The frame of request type `T`. */
export type RequestOf<T extends RequestType> = Extract<RequestFrame, { t: T }>;
/** What a caller fills in for request type `T`: the frame without `t` and `rid`. */
export type RequestFields<T extends RequestType> = Omit<RequestOf<T>, 't' | 'rid'>;
/** The event that answers request type `T`. */
export type ReplyTo<T extends RequestType> = Extract<RelayEvent, { t: (typeof REPLIES)[T][number] }>;

/** Whether `e` is an answer of the kind request type `t` expects. */
export function isReplyTo<T extends RequestType>(t: T, e: RelayEvent): e is ReplyTo<T> {
  return (REPLIES[t] as readonly string[]).includes(e.t);
}
