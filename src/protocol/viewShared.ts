// The plain values of the host <-> webview protocol (view.ts holds its schemas): kept apart so the
// webview bundle, which imports these, does not carry zod.
import type { ConnectionView } from './view';

export const VIEW_PROTOCOL_VERSION = 1;

/** The `q` of the `results` that answer `mentions` (no search text can equal it). */
export const MENTIONS_QUERY = '\u0000mentions';

/**
 * Whether a window counts as signed in (the chat shows, the title bar offers chat commands). Until
 * a team has welcomed it once (`welcomed`), attempts to join (connecting, retrying, refused) are
 * not: the join form stays, with what went wrong under the field to fix.
 */
export function isSignedIn(state: ConnectionView['state'], welcomed: boolean): boolean {
  if (state === 'signedOut') return false;
  return welcomed || (state !== 'failed' && state !== 'connecting' && state !== 'reconnecting');
}

/** At most this many files are sent from one drop into a composer (more is refused whole: likely a slip). */
export const MAX_DROPPED = 20;
