import { ErrorCode } from '../../protocol/constants';
import type { AuthedConnection } from '../connection';
import type { Frame, RelayContext } from '../context';
import { archivedRefusal } from '../rules';

// Files (docs/PROTOCOL.md, "Files"): `upload` announces one, `chunk` sends its bytes in order
// (every chunk but the last exactly `chunkBytes`), and the last chunk makes it a `file` message
// (uploads.ts). `fetch` reads a stored file back a chunk at a time.

export function upload(ctx: RelayContext, conn: AuthedConnection, f: Frame<'upload'>): void {
  const state = ctx.hub.memberConv(conn, f.conv, f.id);
  if (!state) return;
  const stored = ctx.store.findByClientId(conn.user.id, f.id);
  if (stored) return conn.send({ t: 'ack', id: f.id, conv: stored.conv, seq: stored.seq, ts: stored.ts, dup: true });
  if (state.rec.archived) {
    const refused = archivedRefusal(state.rec);
    return conn.error(refused.code, refused.message, f.id);
  }
  if (f.size > ctx.limits.maxFileBytes) return conn.error(ErrorCode.tooLarge, `file larger than ${ctx.limits.maxFileBytes} bytes`, f.id);
  ctx.uploads.drop(conn, f.id);
  const refused = ctx.uploads.refusal(conn, f.size);
  if (refused) return conn.error(refused.code, refused.message, f.id);
  const up = ctx.uploads.start(conn, f);
  conn.send({ t: 'upload.ready', id: f.id, next: 0 });
  if (up.count === 0) ctx.uploads.finish(conn, up);
}

export function chunk(ctx: RelayContext, conn: AuthedConnection, f: Frame<'chunk'>): void {
  const up = conn.uploads.get(f.id);
  if (!up) return conn.error(ErrorCode.badUpload, `no upload ${f.id} in progress on this connection`, f.id);
  if (f.index !== up.chunks.length) {
    ctx.uploads.drop(conn, f.id);
    return conn.error(ErrorCode.badUpload, `expected chunk ${up.chunks.length}, got ${f.index}; start the upload again`, f.id);
  }
  const data = Buffer.from(f.data, 'base64');
  const expected = f.index === up.count - 1 ? up.size - ctx.limits.chunkBytes * (up.count - 1) : ctx.limits.chunkBytes;
  if (data.length !== expected) {
    ctx.uploads.drop(conn, f.id);
    return conn.error(ErrorCode.badUpload, `chunk ${f.index} has ${data.length} bytes, expected ${expected}`, f.id);
  }
  up.chunks.push(data);
  ctx.uploads.touch(conn, up);
  if (up.chunks.length === up.count) ctx.uploads.finish(conn, up);
}

export function fetch(ctx: RelayContext, conn: AuthedConnection, f: Frame<'fetch'>): void {
  const info = ctx.store.fileInfo(f.file);
  const state = info && ctx.hub.convs.get(info.conv);
  // A file in a direct message the member is not in is answered as one that does not exist.
  if (!info || (state?.rec.kind === 'dm' && !state.members.has(conn.user.id))) return conn.error(ErrorCode.unknownFile, `no file ${f.file}`, f.rid);
  if (!state || !state.members.has(conn.user.id)) return conn.error(ErrorCode.notMember, "not a member of the file's conversation", f.rid);
  const data = f.index < info.count ? ctx.store.fileChunk(f.file, f.index) : undefined;
  if (!data) return conn.error(ErrorCode.badRequest, `file ${f.file} has ${info.count} chunks`, f.rid);
  conn.send({ t: 'file.chunk', rid: f.rid, file: f.file, index: f.index, count: info.count, data: data.toString('base64') });
}
