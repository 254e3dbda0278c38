import type { AuthedConnection, Connection } from '../connection';
import type { Frame, RelayContext } from '../context';
import { historyReply, storedMsg } from '../events';
import type { ConvState } from '../hub';

// Catching up (docs/PROTOCOL.md, "Sync"): `sync` replays what a member missed in every
// conversation, or says why it cannot (a reset); `history` pages back through one. Replays are
// paced by what the member reads, so a large backlog never piles up in the relay's memory.

/** Replay writes out a connection's queue whenever it holds more than this. */
const REPLAY_LOW_WATER = 256 * 1024;
/** Messages read from the store at a time while replaying (what is sent is paced by bytes). */
const REPLAY_PAGE = 200;
/**
 * Largest `history` reply (it keeps at least one message). Small enough that building one is a
 * short piece of work: a member paging through large messages gets more, smaller pages, and
 * others' frames are handled between them.
 */
const HISTORY_MAX_BYTES = 512 * 1024;

type ResetReason = 'epoch' | 'ahead' | 'retention' | 'too_far';

/**
 * Syncs run one at a time per connection; conversation events stay held until the last queued
 * one is done, then go out in order, minus what the replays already sent.
 */
export function sync(ctx: RelayContext, conn: AuthedConnection, f: Frame<'sync'>): void {
  conn.syncsPending++;
  if (!conn.held) conn.held = [];
  const replayed = new Map<string, number>();
  conn.syncChain = conn.syncChain
    .then(() => replayAll(ctx, conn, f, replayed))
    .catch((err) => ctx.log(`sync failed: ${(err as Error).stack ?? err}`))
    .finally(() => {
      conn.syncsPending--;
      for (const [k, v] of replayed) conn.replayed.set(k, Math.max(v, conn.replayed.get(k) ?? 0));
      conn.releaseDue = true;
      releaseHeld(conn);
    });
}

/**
 * Sends what was held for `conn` once its syncs are done, minus what the replays already sent.
 * Frames it sent that still wait in the intake may hold another sync: the release then waits
 * until they are handled (the intake calls back when the connection's inbox is empty).
 */
export function releaseHeld(conn: Connection): void {
  if (!conn.releaseDue || conn.syncsPending > 0 || conn.closed || !conn.held) return;
  if (conn.inbox.frames.length > 0) return;
  conn.releaseDue = false;
  const done = conn.replayed;
  conn.replayed = new Map();
  for (const h of conn.takeHeld()) {
    if (h.conv !== undefined && h.seq !== undefined && h.seq <= (done.get(h.conv) ?? -1)) continue;
    conn.push(h.json, { conv: h.conv, seq: h.seq });
  }
}

async function replayAll(ctx: RelayContext, conn: AuthedConnection, f: Frame<'sync'>, replayed: Map<string, number>): Promise<void> {
  const epochChanged = f.epoch !== undefined && f.epoch !== ctx.store.epoch;
  for (const state of [...ctx.hub.convs.values()]) {
    if (conn.closed) return;
    if (!state.members.has(conn.user.id)) continue;
    const conv = state.rec;
    const cursor = Object.hasOwn(f.cursors, conv.id) ? f.cursors[conv.id] : 0;
    const reset = (reason: ResetReason) => {
      conn.send({ t: 'reset', conv: conv.id, reason, head: conv.head });
      replayed.set(conv.id, conv.head);
    };
    if (epochChanged && Object.hasOwn(f.cursors, conv.id)) reset('epoch');
    else if (cursor > conv.head) reset('ahead');
    else if (cursor < conv.floor - 1) reset('retention');
    else if (conv.head - cursor > ctx.limits.replayLimit) reset('too_far');
    else if (!(await replay(ctx, conn, state, cursor, replayed, reset))) return;
  }
  conn.send({ t: 'synced', rid: f.rid });
}

/** Replays one conversation after `cursor`; false when the connection closed meanwhile. */
async function replay(
  ctx: RelayContext,
  conn: Connection,
  state: ConvState,
  cursor: number,
  replayed: Map<string, number>,
  reset: (r: ResetReason) => void,
): Promise<boolean> {
  const conv = state.rec;
  let at = cursor;
  for (;;) {
    // Pruning may have moved the floor past us while we waited for the socket.
    if (at < conv.floor - 1) {
      reset('retention');
      return true;
    }
    const page = ctx.store.afterJson(conv.id, at, REPLAY_PAGE);
    for (const m of page) {
      conn.push(storedMsg(m.json));
      at = m.seq;
      // Page by bytes: a backlog of large messages never piles up in memory.
      if (conn.backlog > REPLAY_LOW_WATER) await conn.drained(REPLAY_LOW_WATER);
      if (conn.closed) return false;
    }
    if (page.length < REPLAY_PAGE) {
      replayed.set(conv.id, at);
      return true;
    }
  }
}

export function history(ctx: RelayContext, conn: AuthedConnection, f: Frame<'history'>): void {
  const state = ctx.hub.memberConv(conn, f.conv, f.rid);
  if (!state) return;
  const before = f.before ?? state.rec.head + 1;
  const limit = Math.min(f.limit ?? ctx.limits.historyPage, ctx.limits.historyPage);
  // Keep a reply under HISTORY_MAX_BYTES: the oldest are left out (the client asks again from there).
  const page = ctx.store.beforeJson(f.conv, before, limit, HISTORY_MAX_BYTES);
  const more = page.length > 0 ? page[0].seq > state.rec.floor : false;
  conn.push(
    historyReply(
      f.rid,
      f.conv,
      page.map((m) => m.json),
      more,
    ),
  );
}
