import type { Member } from '../../protocol/wire';

/** The `@partial` being typed just before the caret, if any. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | undefined {
  const before = text.slice(0, caret);
  const m = /(^|[\s(])@([\p{L}\p{N}._-]{0,32})$/u.exec(before);
  if (!m) return undefined;
  return { start: caret - m[2].length - 1, query: m[2] };
}

/** Members matching a partial name: prefix matches first, online before away before offline. */
export function mentionCandidates(members: Member[], query: string, me?: string, limit = 8): Member[] {
  const q = query.toLowerCase();
  const rank = { online: 0, away: 1, offline: 2 };
  return members
    .filter((m) => m.id !== me && m.name.toLowerCase().includes(q))
    .sort((a, b) => {
      const pa = a.name.toLowerCase().startsWith(q) ? 0 : 1;
      const pb = b.name.toLowerCase().startsWith(q) ? 0 : 1;
      return pa - pb || rank[a.presence] - rank[b.presence] || a.name.localeCompare(b.name);
    })
    .slice(0, limit);
}

/** Replaces the partial mention with the full name and a space; returns the new text and caret. */
export function completeMention(text: string, start: number, caret: number, name: string): { text: string; caret: number } {
  const insert = `@${name} `;
  return { text: text.slice(0, start) + insert + text.slice(caret), caret: start + insert.length };
}
