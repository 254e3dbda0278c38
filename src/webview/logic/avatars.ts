// Two-letter avatar labels that tell people apart: "carol", "carole" and "carol-b" are not all
// "C" but "Ca", "Ce" and "Cb". Labels are unique among the names given together.

const ALNUM = /[\p{L}\p{N}]/u;
const SEPARATOR = /[._\-\s]/u;

/** The letters and digits of a name, lower-cased, and where each word after the first starts. */
function parts(name: string): { chars: string[]; wordStarts: number[] } {
  const chars: string[] = [];
  const wordStarts: number[] = [];
  let afterSep = false;
  for (const ch of Array.from(name.normalize('NFC'))) {
    if (SEPARATOR.test(ch)) {
      afterSep = chars.length > 0;
      continue;
    }
    if (!ALNUM.test(ch)) continue;
    if (afterSep) wordStarts.push(chars.length);
    afterSep = false;
    chars.push(ch.toLocaleLowerCase());
  }
  return { chars, wordStarts };
}

/** "Ca" for "carol", "Al" for "ada.lovelace" (a second word's initial comes first), "?" for none. */
function preferred(p: { chars: string[]; wordStarts: number[] }): string {
  if (p.chars.length === 0) return '?';
  const second = p.wordStarts.length ? p.chars[p.wordStarts[0]] : p.chars[1];
  return p.chars[0] + (second ?? '');
}

/** Shown form: the first letter upper-case ("Ca"). */
function show(label: string): string {
  const [first = '', ...rest] = Array.from(label);
  return first.toLocaleUpperCase() + rest.join('');
}

/**
 * A short label per name (same order): the first letter and the next letter or digit that tells
 * it from the others shown with it; unique among `names` (longer, or numbered, only when two
 * letters cannot tell them apart). Keep the full name in the element's title and aria-label.
 */
export function avatarLabels(names: readonly string[]): string[] {
  const info = names.map(parts);
  const labels = info.map(preferred);
  const taken = new Map<string, number>();
  for (const l of labels) taken.set(l, (taken.get(l) ?? 0) + 1);
  const used = new Set(labels.filter((l) => taken.get(l) === 1));
  // Names whose first choice is shared: each takes the first letter where it differs from the
  // others sharing it, then any free letter, then a number.
  const groups = new Map<string, number[]>();
  labels.forEach((l, i) => {
    if ((taken.get(l) ?? 0) > 1) groups.set(l, [...(groups.get(l) ?? []), i]);
  });
  for (const [label, members] of groups) {
    const distinct = new Map<number, string[]>();
    for (const i of members) {
      const { chars } = info[i];
      const others = members.filter((j) => j !== i).map((j) => info[j].chars);
      const found: string[] = [];
      for (let k = 1; k < chars.length; k++) if (others.every((o) => o[k] !== chars[k])) found.push(chars[0] + chars[k]);
      distinct.set(i, found);
    }
    // The shared label goes to one that nothing else sets apart ("carol" next to "carole"), or
    // the first; the others take their first letter that differs, then any free one, then a number.
    const setApart = (i: number) => distinct.get(i) ?? [];
    const order = [...members.filter((i) => setApart(i).length === 0), ...members.filter((i) => setApart(i).length > 0)];
    order.forEach((i, n) => {
      const { chars } = info[i];
      const first = chars[0] ?? '?';
      let pick: string | undefined = n === 0 && !used.has(label) ? label : undefined;
      pick ??= setApart(i).find((c) => !used.has(c));
      for (let k = 1; !pick && k < chars.length; k++) if (!used.has(first + chars[k])) pick = first + chars[k];
      for (let k = 2; !pick; k++) if (!used.has(first + k)) pick = first + k;
      labels[i] = pick;
      used.add(pick);
    });
  }
  return labels.map(show);
}
