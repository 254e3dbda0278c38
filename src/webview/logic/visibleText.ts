// Text from teammates, relays and the network is shown with its invisible characters made
// visible (issue 14, point 8): a direction override can make "evil\u202Etxt.exe" display as
// "evilexe.txt", a zero-width space can make two names look the same, tag characters can carry
// hidden text. Every such character becomes a visible mark like ⟨U+202E⟩ (ui/dom.ts draws it with a
// tooltip naming it); the rest of the text is unchanged, Arabic and Hebrew included.
//
// Kept as they are, because they are part of what the text says: the zero-width joiner inside an
// emoji sequence (man ZWJ woman ZWJ girl), the tag characters of an emoji flag (black flag, tags
// "gbsct", CANCEL TAG), and the zero-width (non-)joiner between letters of scripts that need them
// (Persian, Indic conjuncts).
//
// src/host/plainText.ts neutralize() drops the same bidi and zero-width characters from text for
// VS Code notifications; the view shows them instead. Tab, newline and carriage return are text.

import { INVISIBLE_CHAR_NAMES } from '../../protocol/charNames';

/** Characters that are never shown as they are (each alternative one code point). */
const CANDIDATE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]|\udb40[\udc00-\udc7f]/g;
const ANY_CANDIDATE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]|\udb40[\udc00-\udc7f]/;
/** The tags after an emoji base in a valid emoji tag sequence: a subdivision code then CANCEL TAG. */
const TAG_SPEC = /(?:\udb40[\udc30-\udc39\udc61-\udc7a]){1,32}\udb40\udc7f/y;
const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;
const EMOJI_BEFORE_ZWJ = /^[\p{Extended_Pictographic}\p{Emoji_Modifier}\ufe0f]$/u;
const MARK = /^\p{M}$/u;
/** Scripts whose spelling uses ZWNJ / ZWJ between letters. */
/** Letters (and digits) proper, not format characters. */
const LETTER = /^[\p{L}\p{N}]$/u;
const JOINING_SCRIPT =
  /^[\p{sc=Arabic}\p{sc=Syriac}\p{sc=Nko}\p{sc=Mongolian}\p{sc=Devanagari}\p{sc=Bengali}\p{sc=Gurmukhi}\p{sc=Gujarati}\p{sc=Oriya}\p{sc=Tamil}\p{sc=Telugu}\p{sc=Kannada}\p{sc=Malayalam}\p{sc=Sinhala}\p{sc=Myanmar}\p{sc=Khmer}]$/u;

const NAMES = INVISIBLE_CHAR_NAMES;

/** How many code points a mark lists before it says how many more there are. */
const LISTED = 4;

/** A run of text shown as it is, or a run of invisible characters shown as a mark. */
export type VisiblePart = { text: string } | { mark: string; label: string; title: string };

/** The Unicode name (or a description) of a character that gets a mark. */
export function charName(cp: number): string {
  if (NAMES[cp]) return NAMES[cp];
  if (cp >= 0xe0020 && cp <= 0xe007e) return `TAG ${cp === 0xe0020 ? 'SPACE' : JSON.stringify(String.fromCharCode(cp - 0xe0000))}`;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 'CONTROL CHARACTER';
  return 'INVISIBLE FORMATTING CHARACTER';
}

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** Whether the text holds any character that may need a mark (a fast check before the work). */
export function mayHaveInvisible(text: string): boolean {
  return ANY_CANDIDATE.test(text);
}

/** The code point that ends just before index i (the string's UTF-16 units), or -1. */
function cpBefore(text: string, i: number): number {
  if (i <= 0) return -1;
  const lo = text.charCodeAt(i - 1);
  if (lo >= 0xdc00 && lo <= 0xdfff && i >= 2) {
    const hi = text.charCodeAt(i - 2);
    if (hi >= 0xd800 && hi <= 0xdbff) return text.codePointAt(i - 2) ?? -1;
  }
  return lo;
}

/** The base letter before index i, skipping combining marks (Arabic vowel signs are "Inherited"). */
function letterBefore(text: string, i: number): string {
  let at = i;
  for (let n = 0; n < 8; n++) {
    const cp = cpBefore(text, at);
    if (cp < 0) return '';
    const ch = String.fromCodePoint(cp);
    if (!MARK.test(ch)) return ch;
    at -= ch.length;
  }
  return '';
}

/** Whether the joiner at index i is part of the text (emoji sequence or joining-script spelling). */
function joinerBelongs(text: string, i: number): boolean {
  const next = text.codePointAt(i + 1);
  if (next === undefined) return false;
  const nextCh = String.fromCodePoint(next);
  const prev = cpBefore(text, i);
  if (prev < 0) return false;
  const prevCh = String.fromCodePoint(prev);
  if (text.charCodeAt(i) === 0x200d && EMOJI_BEFORE_ZWJ.test(prevCh) && PICTOGRAPHIC.test(nextCh)) return true;
  // Between letters only: a joining script's format characters (U+061C ARABIC LETTER MARK) get
  // marks themselves, and a joiner beside a mark would then be judged differently the second time.
  const before = letterBefore(text, i);
  return before !== '' && LETTER.test(before) && JOINING_SCRIPT.test(before) && ((LETTER.test(nextCh) && JOINING_SCRIPT.test(nextCh)) || MARK.test(nextCh));
}

/**
 * The text split into runs shown as they are and marks for invisible characters (adjacent ones
 * share a mark). Joined back (`text` and `mark`), the parts are the input.
 */
export function visibleParts(text: string): VisiblePart[] {
  if (!mayHaveInvisible(text)) return text ? [{ text }] : [];
  const parts: VisiblePart[] = [];
  let at = 0; // start of the text not yet in parts
  let markStart = -1; // the run of marked characters being collected: [markStart, markEnd)
  let markEnd = -1;
  const marked: number[] = [];
  const flushMark = () => {
    parts.push(markFor(text.slice(markStart, markEnd), marked));
    marked.length = 0;
    at = markEnd;
    markStart = -1;
  };
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
    const i = m.index;
    const cp = text.codePointAt(i) ?? 0;
    // A valid emoji tag sequence: all its tags stay.
    if (cp >= 0xe0000 && PICTOGRAPHIC.test(String.fromCodePoint(Math.max(0, cpBefore(text, i))))) {
      TAG_SPEC.lastIndex = i;
      if (TAG_SPEC.test(text)) {
        CANDIDATE.lastIndex = TAG_SPEC.lastIndex;
        continue;
      }
    }
    if ((cp === 0x200c || cp === 0x200d) && joinerBelongs(text, i)) continue;
    if (markStart >= 0 && i !== markEnd) flushMark();
    if (markStart < 0) {
      if (i > at) parts.push({ text: text.slice(at, i) });
      markStart = i;
    }
    marked.push(cp);
    markEnd = i + m[0].length;
  }
  if (markStart >= 0) flushMark();
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

function markFor(chars: string, cps: readonly number[]): VisiblePart {
  const listed = cps.slice(0, LISTED).map(hex).join(' ');
  const label = `⟨${listed}${cps.length > LISTED ? ` …+${cps.length - LISTED}` : ''}⟩`;
  const names = [...new Set(cps.map((cp) => `${hex(cp)} ${charName(cp)}`))];
  const tags = cps
    .filter((cp) => cp >= 0xe0020 && cp <= 0xe007e)
    .map((cp) => String.fromCharCode(cp - 0xe0000))
    .join('');
  const title = `Invisible ${cps.length === 1 ? 'character' : 'characters'}, shown as ${cps.length === 1 ? 'a code' : 'codes'}: ${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''}${tags ? `. The tag characters spell "${tags.length > 200 ? `${tags.slice(0, 200)}…` : tags}"` : ''}`;
  return { mark: chars, label, title };
}

/** The text with each run of invisible characters replaced by its mark's label (for attributes, lists). */
export function visibleString(text: string): string {
  if (!mayHaveInvisible(text)) return text;
  return visibleParts(text)
    .map((p) => ('text' in p ? p.text : p.label))
    .join('');
}
