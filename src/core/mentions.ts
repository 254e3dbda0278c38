/** Whether `text` mentions `name` (@name, case-insensitive, as a whole word) or the whole room. */
export function mentions(text: string, name: string, opts: { room: boolean }): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(^|[^\\p{L}\\p{N}_])@(${escaped}${opts.room ? '|room|here|channel|everyone' : ''})(?![\\p{L}\\p{N}_-])`, 'iu');
  return re.test(text);
}
