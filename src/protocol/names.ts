import { INVISIBLE_CHAR_NAMES } from './charNames';
import { FOLDINGS, PROTOTYPES, SCRIPTS, UNICODE_DATA_VERSION } from './confusablesData';

// Names that cannot pass for others (docs/PROTOCOL.md, "Member names"). Plain TypeScript on the
// engine's String.prototype.normalize and Unicode property escapes, so the relay, the host and the
// webview can all use it. The data (confusables.txt and CaseFolding.txt) is Unicode's, generated
// into confusablesData.ts by scripts/genNameData.mjs.

export { UNICODE_DATA_VERSION };

function parseTable(encoded: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const entry of encoded.split(',')) {
    const eq = entry.indexOf('=');
    const to = entry
      .slice(eq + 1)
      .split('.')
      .map((h) => String.fromCodePoint(parseInt(h, 16)))
      .join('');
    map.set(parseInt(entry.slice(0, eq), 16), to);
  }
  return map;
}

let prototypes: Map<number, string> | undefined;
let foldings: Map<number, string> | undefined;

function mapEach(s: string, table: Map<number, string>): string {
  let out = '';
  for (const ch of s) out += table.get(ch.codePointAt(0) ?? 0) ?? ch;
  return out;
}

/** Full case folding (CaseFolding.txt, statuses C and F): "ß" -> "ss", final "ς" -> "σ", "ſ" -> "s". */
export function foldCase(s: string): string {
  return mapEach(s, (foldings ??= parseTable(FOLDINGS)));
}

/**
 * The UTS #39 skeleton: NFD, each code point replaced by its confusables.txt (MA) prototype, NFD.
 * Prototypes are taken to their fixed point (scripts/genNameData.mjs), so a skeleton's skeleton
 * is itself. Multi-character prototypes work as the table says: "m" -> "rn".
 */
export function skeleton(s: string): string {
  return mapEach(s.normalize('NFD'), (prototypes ??= parseTable(PROTOTYPES))).normalize('NFD');
}

/** skeleton(fold(s)) until it stands still: a prototype can be a capital ("0" -> "O", "Σ" -> "Ʃ"). */
function settle(s: string): string {
  let key = skeleton(foldCase(s));
  // Two more rounds at most for any one character (checked by scripts/genNameData.mjs).
  for (let round = 0; round < 8; round++) {
    const next = skeleton(foldCase(key));
    if (next === key) break;
    key = next;
  }
  return key;
}

/**
 * The key two names are the same name under: the UTS #39 skeleton of the NFKC, fully case-folded
 * name (folded and skeletoned again until it stands still). "аlice" (Cyrillic а), "alіce"
 * (Ukrainian і), "ａｌｉｃｅ", "ALICE" and "a1ice" all have the key of "alice", "b0b" that of "bob".
 * Not for display. Diacritics stay: "Zoë" and "Zoe" differ (the table does not list them).
 */
export function nameKey(name: string): string {
  return settle(name.normalize('NFKC'));
}

/**
 * The key of how a name looks as written: the skeleton of the NFKC name with its case kept, then
 * settled as nameKey is. Case folding first hides look-alikes that only a capital makes ("aIice"
 * with a capital I folds to "aiice"; Cyrillic "ВОВ" to "вов"); this key has "aIice" as "alice" and
 * "ВОВ" as "bob". It also puts "Ian" with "lan" (they look alike in most fonts).
 */
export function lookKey(name: string): string {
  return settle(skeleton(name.normalize('NFKC')));
}

/** A name's keys (nameKey, then lookKey when it differs). Two names clash when they share one. */
export function nameKeys(name: string): string[] {
  const key = nameKey(name);
  const look = lookKey(name);
  return look === key ? [key] : [key, look];
}

/** Whether two names would pass for each other (they share a key). */
export function namesClash(a: string, b: string): boolean {
  const kb = nameKeys(b);
  return nameKeys(a).some((k) => kb.includes(k));
}

// ---- characters a name may not hold ----

function describe(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const named = INVISIBLE_CHAR_NAMES[cp];
  if (named) return `${u} (${named})`;
  if (cp >= 0xfe00 && cp <= 0xfe0f) return `${u} (VARIATION SELECTOR-${cp - 0xfe00 + 1})`;
  if (cp >= 0xe0100 && cp <= 0xe01ef) return `${u} (VARIATION SELECTOR-${cp - 0xe0100 + 17})`;
  if (cp >= 0xe0000 && cp <= 0xe007f) return `${u} (a tag character)`;
  return u;
}

const BIDI_CONTROL = /\p{Bidi_Control}/u; // U+061C, U+200E/F, U+202A–202E, U+2066–2069
// Cf covers the zero-width characters, joiners, U+2060–2064, U+FEFF, the soft hyphen and tags;
// Default_Ignorable_Code_Point adds the variation selectors, the Hangul fillers and U+034F.
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
const UNUSABLE = /[\p{Cn}\p{Co}\p{Cs}]/u; // unassigned, private use, lone surrogates

// ---- scripts (UTS #39 section 5: "Highly Restrictive") ----

let scriptTests: { name: string; re: RegExp }[] | undefined;

function tests(): { name: string; re: RegExp }[] {
  if (!scriptTests) {
    scriptTests = [];
    for (const name of SCRIPTS) {
      try {
        scriptTests.push({ name, re: new RegExp(`^\\p{Script_Extensions=${name}}$`, 'u') });
      } catch {
        // A script this engine's Unicode does not know yet: none of its characters can be tested.
      }
    }
  }
  return scriptTests;
}

const COMMON = /^[\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}]$/u;
const ASCII_LATIN = /^[A-Za-z]$/;

/** Script_Extensions of one character; undefined for Common and Inherited (they go with any script). */
function scriptsOf(ch: string): Set<string> | undefined {
  if (ASCII_LATIN.test(ch)) return new Set(['Latin']);
  if (COMMON.test(ch)) return undefined;
  const set = new Set<string>();
  for (const t of tests()) if (t.re.test(ch)) set.add(t.name);
  return set;
}

// Scripts written together: Japanese (Han + Hiragana + Katakana), Korean (Han + Hangul),
// Han with Bopomofo. A set holding any member of one also holds the writing system's name.
const WRITING: [string, string[]][] = [
  ['Japanese', ['Han', 'Hiragana', 'Katakana']],
  ['Korean', ['Han', 'Hangul']],
  ['Han_with_Bopomofo', ['Han', 'Bopomofo']],
];

function augment(set: Set<string>): Set<string> {
  for (const [writing, members] of WRITING) if (members.some((m) => set.has(m))) set.add(writing);
  return set;
}

function intersect(a: Set<string> | undefined, b: Set<string>): Set<string> {
  return a === undefined ? new Set(b) : new Set([...a].filter((x) => b.has(x)));
}

/**
 * What mixes scripts beyond UTS #39's Highly Restrictive level: every letter from one script
 * (Script_Extensions, with Common and Inherited going with any), or Latin with Japanese, Korean or
 * Han with Bopomofo. Returns the scripts a refused name mixes, in the order they appear.
 */
function mixedScripts(name: string): string[] | undefined {
  let all: Set<string> | undefined;
  let beyondLatin: Set<string> | undefined;
  const seen: string[] = [];
  for (const ch of name) {
    const set = scriptsOf(ch);
    if (!set) continue;
    if (!seen.some((s) => set.has(s))) seen.push([...set][0] ?? 'Unknown');
    augment(set);
    all = intersect(all, set);
    if (!set.has('Latin')) beyondLatin = intersect(beyondLatin, set);
  }
  if (all === undefined || all.size > 0) return undefined;
  const scripts = beyondLatin;
  if (scripts && WRITING.some(([w]) => scripts.has(w))) return undefined;
  return seen;
}

function list(items: string[]): string {
  const names = items.map((s) => s.replace(/_/g, ' '));
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : (names[0] ?? '');
}

/**
 * Why a display name cannot be used, or undefined: control characters, bidirectional controls,
 * invisible and format characters, unassigned or private-use code points, and letters of scripts
 * that UTS #39 Highly Restrictive does not allow together (Latin with Cyrillic or Greek, …).
 * Checks the name as sent (before trimming). The character rules of UserName (wire.ts) still apply.
 */
export function nameProblem(name: string): string | undefined {
  for (const ch of name) {
    if (CONTROL.test(ch)) return `a name cannot hold a control character (${describe(ch)})`;
    if (BIDI_CONTROL.test(ch)) return `a name cannot hold a bidirectional control character (${describe(ch)}): it reorders how the name is shown`;
    if (INVISIBLE.test(ch)) return `a name cannot hold an invisible character (${describe(ch)})`;
    if (UNUSABLE.test(ch)) return `a name cannot hold an unassigned or private-use character (${describe(ch)})`;
  }
  const mixed = mixedScripts(name.normalize('NFKC'));
  if (mixed) return `a name cannot mix ${list(mixed)} letters (it could pass for another name); write it in one script`;
  return undefined;
}
