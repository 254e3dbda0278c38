import { CloseCode, ErrorCode } from '../protocol/constants';
import { decodeClientFrame, type ClientFrame } from '../protocol/wire';
import { isAuthed, type AuthedConnection, type Connection } from './connection';
import type { Frame, Handler, RelayContext } from './context';
import { hello } from './handlers/hello';
import { HANDLERS } from './handlers/index';

// One inbound frame, from the intake (intake.ts) to its handler: decoded and validated, refused
// with its own error code when it is wrong (a frame that names itself fails alone; a connection
// that sends garbage is closed), held to the member's frame rate, then dispatched by type.

/** Requests whose answer can be large: each ends its connection's share of a turn (see Intake). */
const COSTLY_FRAMES: ReadonlySet<ClientFrame['t']> = new Set(['sync', 'fetch', 'history', 'room.list', 'search']);

/** Handles one frame from the intake; true when it was a costly request (see Intake). */
export function handleFrame(ctx: RelayContext, conn: Connection, text: string | null): boolean {
  if (conn.closed) return false;
  try {
    return onFrame(ctx, conn, text);
  } catch (err) {
    ctx.log(`internal error handling a frame from ${conn.user?.name ?? conn.remote}: ${(err as Error).stack ?? err}`);
    conn.error(ErrorCode.internal, 'internal relay error');
    return false;
  }
}

function onFrame(ctx: RelayContext, conn: Connection, text: string | null): boolean {
  if (text === null) {
    conn.fail(ErrorCode.badFrame, 'binary frames are not part of the protocol', CloseCode.badFrame);
    return false;
  }
  const decoded = decodeClientFrame(text);
  if (!decoded.ok) {
    refuse(ctx, conn, decoded);
    return false;
  }
  const f = decoded.value;
  if (!isAuthed(conn)) {
    if (f.t !== 'hello') conn.fail(ErrorCode.handshakeRequired, `${f.t} before hello`, CloseCode.badFrame);
    else hello(ctx, conn, f);
    return false;
  }
  if (!admit(ctx, conn, refOf(f))) return false;
  dispatch(ctx, conn, f);
  return COSTLY_FRAMES.has(f.t);
}

/** A frame that failed to decode: answered with its code, and the connection closed where the protocol says so. */
function refuse(
  ctx: RelayContext,
  conn: Connection,
  decoded: { code: 'bad_frame' | 'unknown_type' | 'unsupported_version'; message: string; ref?: string },
): void {
  const signedIn = isAuthed(conn);
  if (decoded.code === 'unsupported_version') {
    if (signedIn) conn.error(ErrorCode.alreadyHandshaken, 'hello was already accepted on this connection');
    else conn.fail(ErrorCode.unsupportedVersion, decoded.message, CloseCode.unsupportedVersion);
  } else if (!signedIn) {
    // Nothing but a hello is answered before the hello (a type this relay does not know included).
    conn.fail(decoded.code === 'unknown_type' ? ErrorCode.handshakeRequired : ErrorCode.badFrame, decoded.message, CloseCode.badFrame);
  } else if (decoded.code === 'unknown_type') conn.error(ErrorCode.unknownType, decoded.message, decoded.ref);
  // A well-formed frame of a known type with a field we refuse names itself: only it fails
  // (a client that disagrees with our validation must not resend it after every reconnect).
  else if (decoded.ref !== undefined) {
    if (admit(ctx, conn, decoded.ref)) conn.error(ErrorCode.badFrame, decoded.message, decoded.ref);
  } else conn.fail(ErrorCode.badFrame, decoded.message, CloseCode.badFrame);
}

/** The frame-rate limit: false (and an error, or the connection cut) when over it. */
function admit(ctx: RelayContext, conn: Connection, ref: string | undefined): boolean {
  if (!conn.bucket.take()) {
    conn.strikes++;
    if (conn.strikes > ctx.limits.rateBurst) conn.fail(ErrorCode.rateLimited, 'kept sending over the rate limit', CloseCode.rateLimited);
    else conn.error(ErrorCode.rateLimited, `over ${ctx.limits.ratePerSecond} frames/s; slow down`, ref);
    return false;
  }
  conn.strikes = 0;
  return true;
}

/** Calls the frame's handler from the table (typed per frame: see HandlerTable). */
function dispatch<T extends ClientFrame['t']>(ctx: RelayContext, conn: AuthedConnection, f: Frame<T>): void {
  // TypeScript does not narrow a table lookup by a generic key; the table's type guarantees the match.
  (HANDLERS[f.t as T] as Handler<T>)(ctx, conn, f);
}

function refOf(f: ClientFrame): string | undefined {
  if ('rid' in f) return f.rid;
  if ('id' in f) return f.id;
  return undefined;
}
