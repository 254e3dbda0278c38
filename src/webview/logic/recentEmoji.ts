// Which emoji the reaction picker offers: the ones used lately, then a fixed set.

/** The emoji offered after the recently used ones. */
export const DEFAULT_EMOJI = ['👍', '❤️', '😂', '🎉', '👀', '🚀', '✅', '🙏', '😮', '😢', '🔥', '👎', '💯', '🤔', '👏', '🐛'];

/** Recent first, then the defaults, without repeats. */
export function pickerChoices(recent: readonly string[], max = 16): string[] {
  const out: string[] = [];
  for (const e of [...recent, ...DEFAULT_EMOJI]) if (!out.includes(e)) out.push(e);
  return out.slice(0, max);
}

/** One emoji as Unicode lists them (what a relay takes in a new reaction: protocol/wire.ts SentEmoji). */
const ONE_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');

/** `emoji` moved to the front of the recent list (at most 8 kept); a look-alike from an old reaction is not offered again. */
export function useRecent(recent: readonly string[], emoji: string): string[] {
  if (!ONE_EMOJI.test(emoji)) return [...recent];
  return [emoji, ...recent.filter((e) => e !== emoji)].slice(0, 8);
}
