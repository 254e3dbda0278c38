import type { RelayEvent } from '../protocol/wire';

// Everything the relay sends is a RelayEvent (protocol/wire.ts), serialized here: the compiler
// checks each one against the schema clients validate with, so a misspelt field is a compile
// error rather than a client that rejects the frame, reconnects and gets it again. What leaves
// is an `EventJson`, a string type no other code can make, so `Connection.push` takes nothing
// that bypassed the check. An event is serialized once and the same string goes to every
// receiver (the fan-out never stringifies per delivery).

declare const eventJson: unique symbol;
/** A serialized RelayEvent (see above). */
export type EventJson = string & { readonly [eventJson]: true };

export function encode(ev: RelayEvent): EventJson {
  return JSON.stringify(ev) as EventJson;
}

/**
 * A `msg` event the store serialized in SQL (`{"t":"msg","m":…}`, see SqliteStore.afterJson):
 * replay sends it as it comes from the file, without a parse and a stringify per message.
 */
export function storedMsg(json: string): EventJson {
  return json as EventJson;
}

/**
 * A `history` reply around messages the store serialized (SqliteStore.beforeJson), joined as
 * they are: the same event `encode` would make of the parsed messages.
 */
export function historyReply(rid: string, conv: string, messages: readonly string[], more: boolean): EventJson {
  return `{"t":"history","rid":${JSON.stringify(rid)},"conv":${JSON.stringify(conv)},"messages":[${messages.join(',')}],"more":${more}}` as EventJson;
}
