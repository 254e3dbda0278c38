import { ErrorCode } from '../../protocol/constants';
import type { AuthedConnection } from '../connection';
import type { Frame, RelayContext } from '../context';
import { searchQuery } from '../searchText';

/** `search`: the member's conversations (or one of them), through the store's text index. */
export function search(ctx: RelayContext, conn: AuthedConnection, f: Frame<'search'>): void {
  const user = conn.user.id;
  if (f.conv !== undefined && !ctx.hub.memberConv(conn, f.conv, f.rid)) return;
  const query = searchQuery(f.q);
  if (!query) return conn.error(ErrorCode.badRequest, 'the search has no words to look for', f.rid);
  const convs = f.conv !== undefined ? [f.conv] : ctx.hub.convsOf(user).map((c) => c.rec.id);
  const limit = f.limit ?? 50;
  let hits;
  try {
    hits = ctx.store.search({ ...query, convs, ...(f.from !== undefined ? { from: f.from } : {}), limit });
  } catch (err) {
    ctx.log(`search failed: ${(err as Error).message}`);
    return conn.error(ErrorCode.internal, 'the search failed', f.rid);
  }
  conn.send({ t: 'results', rid: f.rid, hits: hits.slice(0, limit), more: hits.length > limit });
}
