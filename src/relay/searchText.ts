/**
 * What a search looks for, and the excerpt a hit shows. The relay builds the excerpt itself
 * rather than with FTS5's snippet(): snippet() scores every match in a text, so a text with a
 * thousand matches of a short prefix took 70 ms per hit (3.5 s per search); this walks a text once
 * and stops shortly after its first match.
 */
import { SEARCH_MARK_END, SEARCH_MARK_START } from '../protocol/wire';

export interface SearchTerms {
  /** The FTS5 query: every word must occur (AND), each quoted so operators are just text. */
  match: string;
  /** The words' tokens as the index folds them (case and accents removed). */
  terms: string[];
  /** Whether the last term also matches longer words ("deplo" finds "deploy"). */
  prefix: boolean;
}

/** Shortest last word that is also taken as the start of longer words; a shorter one matches whole words only. */
export const MIN_PREFIX = 2;
/** Words of a query looked at, at most. */
const MAX_WORDS = 16;
/** Words of context an excerpt shows before its first match, and in all. */
const BEFORE = 8;
const WORDS = 24;

/** Tokens as FTS5's unicode61 tokenizer makes them: runs of letters and digits. */
const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu;

/** A token as the index compares it: lower case, accents removed. */
export function foldToken(t: string): string {
  return t.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * The search for what a user typed. Undefined when nothing searchable is left. A last word of
 * a single letter matches that word only: as a prefix it would match most of the index.
 */
export function searchQuery(input: string): SearchTerms | undefined {
  const words = input
    .normalize('NFKC')
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .slice(0, MAX_WORDS);
  if (words.length === 0) return undefined;
  const last = words[words.length - 1].match(TOKEN) ?? [];
  const prefix = (last[last.length - 1] ?? '').length >= MIN_PREFIX;
  const match = words.map((w, i) => `"${w.replace(/"/g, '""')}"${i === words.length - 1 && prefix ? '*' : ''}`).join(' ');
  const terms = words.flatMap((w) => (w.match(TOKEN) ?? []).map(foldToken));
  return { match, terms, prefix };
}

/**
 * About WORDS words of `text` from a little before its first match, every match within them
 * between SEARCH_MARK_START and SEARCH_MARK_END, "…" where words were left out. Walks the text
 * once and stops WORDS words after the first match.
 */
export function excerpt(text: string, q: Pick<SearchTerms, 'terms' | 'prefix'>): string {
  const exact = new Set(q.terms);
  const stem = q.prefix ? q.terms[q.terms.length - 1] : undefined;
  const isHit = (t: string) => {
    const f = foldToken(t);
    return exact.has(f) || (stem !== undefined && f.startsWith(stem));
  };
  const kept: { at: number; end: number; hit: boolean }[] = [];
  let found = false;
  let cut = false;
  for (const m of text.matchAll(TOKEN)) {
    if (found && kept.length >= WORDS) {
      cut = true;
      break;
    }
    const hit = isHit(m[0]);
    kept.push({ at: m.index, end: m.index + m[0].length, hit });
    found ||= hit;
    // Before the first match only the last BEFORE words are kept.
    if (!found && kept.length > BEFORE) kept.shift();
  }
  if (!found) return leading(text);
  const start = kept[0].at;
  const lead = text.slice(0, start);
  let out = /[\p{L}\p{N}]/u.test(lead) ? '…' : lead;
  let pos = start;
  for (const s of kept) {
    if (!s.hit) continue;
    out += text.slice(pos, s.at) + SEARCH_MARK_START + text.slice(s.at, s.end) + SEARCH_MARK_END;
    pos = s.end;
  }
  const end = kept[kept.length - 1].end;
  return out + text.slice(pos, end) + (cut ? '…' : text.slice(end));
}

/** The first WORDS words (a hit whose words the excerpt could not place, e.g. folded differently). */
function leading(text: string): string {
  let n = 0;
  for (const m of text.matchAll(TOKEN)) if (++n > WORDS) return text.slice(0, m.index).trimEnd() + '…';
  return text;
}
