// Which emoji the reaction picker offers: the ones used lately, then a fixed set.

/** The emoji offered after the recently used ones. */
export const DEFAULT_EMOJI = ['👍', '❤️', '😂', '🎉', '👀', '🚀', '✅', '🙏', '😮', '😢', '🔥', '👎', '💯', '🤔', '👏', '🐛'];

/** Recent first, then the defaults, without repeats. */
export function pickerChoices(recent: readonly string[], max = 16): string[] {
  const out: string[] = [];
  for (const e of [...recent, ...DEFAULT_EMOJI]) if (!out.includes(e)) out.push(e);
  return out.slice(0, max);
}

/** `emoji` moved to the front of the recent list (at most 8 kept). */
export function useRecent(recent: readonly string[], emoji: string): string[] {
  return [emoji, ...recent.filter((e) => e !== emoji)].slice(0, 8);
}
