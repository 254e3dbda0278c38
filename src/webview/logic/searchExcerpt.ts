import { SEARCH_MARK_END, SEARCH_MARK_START } from '../../protocol/constants';

/** A search excerpt as runs of text, each a match or not (the relay marks matches with control characters). */
export function excerptParts(text: string): { text: string; match: boolean }[] {
  const out: { text: string; match: boolean }[] = [];
  let match = false;
  let run = '';
  const flush = () => {
    if (run) out.push({ text: run, match });
    run = '';
  };
  for (const ch of text.replace(/\s+/g, ' ')) {
    if (ch === SEARCH_MARK_START || ch === SEARCH_MARK_END) {
      flush();
      match = ch === SEARCH_MARK_START;
    } else run += ch;
  }
  flush();
  return out;
}
