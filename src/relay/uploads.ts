import { createHash } from 'node:crypto';
import { ErrorCode, type Limits } from '../protocol/constants';
import type { FileBody } from '../protocol/wire';
import type { AuthedConnection, Upload } from './connection';
import type { Frame } from './context';
import type { GroupCommit } from './groupCommit';
import type { Hub } from './hub';
import { newId } from './ids';
import { archivedRefusal } from './rules';

// Files being received: each connection's uploads in progress, and the memory they may hold
// (the relay's budget, each member's share of it). A finished upload becomes a `file` message
// in the group commit, its chunks stored in the same transaction.

/** Bytes of unfinished uploads the relay holds in memory at most, over all connections. */
const UPLOAD_BUDGET = 64 * 1024 * 1024;
/** Bytes of unfinished uploads one member may hold (a quarter of the relay's, at least one largest file). */
const MEMBER_UPLOAD_SHARE = 4;
/** Uploads one connection may have in progress at once. */
const UPLOADS_PER_CONNECTION = 4;
/** An upload that receives no chunk for this long is dropped. */
const UPLOAD_IDLE_MS = 60_000;

export class Uploads {
  private bytes = 0;
  /** Bytes of unfinished uploads per member. */
  private readonly byMember = new Map<string, number>();

  constructor(
    private readonly limits: Limits,
    private readonly hub: Hub,
    private readonly commits: GroupCommit,
  ) {}

  /** Why the relay cannot take this upload now (undefined: it can). */
  refusal(conn: AuthedConnection, size: number): { code: ErrorCode; message: string } | undefined {
    if (conn.uploads.size >= UPLOADS_PER_CONNECTION)
      return { code: ErrorCode.badUpload, message: `at most ${UPLOADS_PER_CONNECTION} uploads at a time per connection` };
    const mine = this.byMember.get(conn.user.id) ?? 0;
    if (mine + size > Math.max(this.limits.maxFileBytes, UPLOAD_BUDGET / MEMBER_UPLOAD_SHARE)) {
      return { code: ErrorCode.rateLimited, message: 'you are uploading too many files at once; wait for one to finish' };
    }
    if (this.bytes + size > UPLOAD_BUDGET)
      return { code: ErrorCode.rateLimited, message: 'the relay is receiving too many files right now; try again shortly' };
    return undefined;
  }

  /** Starts receiving a file (its chunks are expected from index 0). */
  start(conn: AuthedConnection, f: Frame<'upload'>): Upload {
    const count = Math.ceil(f.size / this.limits.chunkBytes);
    const upload: Upload = {
      id: f.id,
      conv: f.conv,
      name: f.name,
      size: f.size,
      sha256: f.sha256,
      mime: f.mime,
      note: f.note,
      thread: f.thread,
      count,
      chunks: [],
    };
    conn.uploads.set(f.id, upload);
    this.bytes += f.size;
    this.byMember.set(conn.user.id, (this.byMember.get(conn.user.id) ?? 0) + f.size);
    this.touch(conn, upload);
    return upload;
  }

  /** Restarts an upload's idle timer (a chunk came). */
  touch(conn: AuthedConnection, up: Upload): void {
    if (up.timer) clearTimeout(up.timer);
    up.timer = setTimeout(() => {
      if (conn.uploads.get(up.id) !== up) return;
      this.drop(conn, up.id);
      conn.error(ErrorCode.badUpload, `upload ${up.id} timed out waiting for chunks`, up.id);
    }, UPLOAD_IDLE_MS);
    up.timer.unref();
  }

  drop(conn: AuthedConnection, id: string): void {
    const up = conn.uploads.get(id);
    if (!up) return;
    if (up.timer) clearTimeout(up.timer);
    conn.uploads.delete(id);
    this.bytes -= up.size;
    const left = (this.byMember.get(conn.user.id) ?? up.size) - up.size;
    if (left > 0) this.byMember.set(conn.user.id, left);
    else this.byMember.delete(conn.user.id);
  }

  /** Drops every upload of `user`'s connections into `conv` (they left it). */
  dropIn(user: string, conv: string): void {
    for (const c of this.hub.connectionsOf(user)) for (const up of [...c.uploads.values()]) if (up.conv === conv) this.drop(c, up.id);
  }

  /** All chunks are in: checks the hash and queues the file message for the commit. */
  finish(conn: AuthedConnection, up: Upload): void {
    this.drop(conn, up.id);
    const state = this.hub.convs.get(up.conv);
    if (!state || !state.members.has(conn.user.id)) return conn.error(ErrorCode.notMember, `not a member of ${up.conv}`, up.id);
    // Archived while its chunks came in: an archived room takes no files, late ones included.
    if (state.rec.archived) {
      const refused = archivedRefusal(state.rec);
      return conn.error(refused.code, refused.message, up.id);
    }
    const hash = createHash('sha256');
    for (const c of up.chunks) hash.update(c);
    if (hash.digest('hex') !== up.sha256) return conn.error(ErrorCode.hashMismatch, `sha256 of the received bytes does not match ${up.sha256}`, up.id);
    const body: FileBody = { kind: 'file', file: newId('f'), name: up.name, size: up.size, sha256: up.sha256 };
    if (up.mime !== undefined) body.mime = up.mime;
    if (up.note !== undefined) body.note = up.note;
    if (up.thread !== undefined) body.thread = up.thread;
    this.commits.enqueue({ conv: up.conv, author: conn.user.id, id: up.id, ts: Date.now(), body, chunks: up.chunks }, conn);
  }
}
