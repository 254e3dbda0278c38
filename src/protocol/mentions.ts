// What counts as a mention: `@name` (a member's name, case-insensitive, as a whole word) and, in
// rooms, `@room`, `@here`, `@channel` and `@everyone` for all of its members. The host decides
// notifications and the Mentions list with it, the view highlights with it.

/** Words that mention every member of a room. */
export const ROOM_MENTIONS: readonly string[] = ['room', 'here', 'channel', 'everyone'];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `text` mentions `name` (@name, case-insensitive, as a whole word) or the whole room. */
export function mentions(text: string, name: string, opts: { room: boolean }): boolean {
  return mentionSpans(text, [name], { room: opts.room, me: name }).some((s) => s.me);
}

export interface MentionSpan {
  index: number;
  length: number;
  /** The name mentioned, as written in `names` ('room', 'here', … for the whole room). */
  name: string;
  /** It mentions `me` (by name, or the whole room). */
  me: boolean;
}

/**
 * The mentions in `text` of any of `names` (and, with `room`, of the whole room), in order.
 * Longer names win where one is the start of another ("@ann" and "@anna").
 */
export function mentionSpans(text: string, names: readonly string[], opts: { room: boolean; me?: string }): MentionSpan[] {
  const all = [...names, ...(opts.room ? ROOM_MENTIONS : [])].filter((n) => n.length > 0).sort((a, b) => b.length - a.length);
  if (all.length === 0 || !text.includes('@')) return [];
  const re = new RegExp(`(^|[^\\p{L}\\p{N}_])@(${all.map(escape).join('|')})(?![\\p{L}\\p{N}_-])`, 'giu');
  const byLower = new Map(all.map((n) => [n.toLowerCase(), n]));
  const me = opts.me?.toLowerCase();
  const out: MentionSpan[] = [];
  for (const m of text.matchAll(re)) {
    const index = (m.index ?? 0) + m[1].length;
    const lower = m[2].toLowerCase();
    const name = byLower.get(lower) ?? m[2];
    const isRoom = opts.room && ROOM_MENTIONS.includes(lower) && !names.some((n) => n.toLowerCase() === lower);
    out.push({ index, length: m[2].length + 1, name, me: isRoom || (me !== undefined && lower === me) });
  }
  return out;
}
