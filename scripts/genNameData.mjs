// Regenerates src/protocol/confusablesData.ts, the Unicode data behind src/protocol/names.ts, from
// Unicode's own files:
//   confusables.txt (UTS #39 security data: the MA prototype table)
//   CaseFolding.txt (full case folding, statuses C and F)
//   ppucd.txt       (ICU's preparsed UCD: only the list of Script property values is read)
// All three are in ICU's source tree under icu/source/data/unidata/ (Debian: `apt-get source icu`,
// the orig tarball), and the first two at unicode.org/Public/security/<v>/ and /Public/<v>/ucd/.
// Usage: node scripts/genNameData.mjs <dir holding the three files>
// The checked-in module was made from ICU 78.3's copy (Unicode 17.0.0; Debian's icu_78.3.orig.tar.gz,
// sha256 3a2e7a47604ba702f345878308e6fefeca612ee895cf4a5f222e7955fabfe0c0).
// Run it with a Node whose Unicode version is the files' (process.versions.unicode): prototypes are
// decomposed with the running engine's NFD, as names.ts does; a mismatch is refused unless FORCE=1.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/genNameData.mjs <dir with confusables.txt, CaseFolding.txt, ppucd.txt>');
  process.exit(2);
}
const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const read = (name) => readFileSync(join(dir, name), 'utf8');
const confusablesTxt = read('confusables.txt');
const caseFoldingTxt = read('CaseFolding.txt');
const ppucdTxt = read('ppucd.txt');

const version = /^# Version: (\d+\.\d+\.\d+)/m.exec(confusablesTxt)?.[1];
const foldVersion = /^# CaseFolding-(\d+\.\d+\.\d+)\.txt/m.exec(caseFoldingTxt)?.[1];
if (!version || !foldVersion) throw new Error('cannot read the Unicode version of confusables.txt or CaseFolding.txt');
if (version !== foldVersion) throw new Error(`confusables.txt is ${version} but CaseFolding.txt is ${foldVersion}`);
const engine = process.versions.unicode;
if (!version.startsWith(engine) && process.env.FORCE !== '1') {
  throw new Error(`the files are Unicode ${version}, this Node's normalization is Unicode ${engine}; use a matching Node (or FORCE=1)`);
}

const hex = (s) => [...s].map((c) => c.codePointAt(0).toString(16)).join('.');
const fromHex = (h) =>
  h
    .trim()
    .split(/\s+/)
    .map((x) => String.fromCodePoint(parseInt(x, 16)))
    .join('');

// --- the two source tables ---
const ma = new Map(); // one code point -> prototype string
for (const line of confusablesTxt.split('\n')) {
  const m = /^([0-9A-F]+)\s*;\s*([0-9A-F ]+?)\s*;\s*MA\b/.exec(line);
  if (m) ma.set(String.fromCodePoint(parseInt(m[1], 16)), fromHex(m[2]));
}
const fold = new Map(); // full case folding: C + F
for (const line of caseFoldingTxt.split('\n')) {
  const m = /^([0-9A-F]+);\s*([CF]);\s*([0-9A-F ]+);/.exec(line);
  if (m) fold.set(String.fromCodePoint(parseInt(m[1], 16)), fromHex(m[3]));
}
if (ma.size < 6000 || fold.size < 1400) throw new Error(`suspiciously small tables: ${ma.size} MA, ${fold.size} folding entries`);

// --- the skeleton map, with prototypes that are fixed points: one pass over an NFD string is
// the whole skeleton ---
const skeleton = (s) =>
  [...s.normalize('NFD')]
    .map((c) => ma.get(c) ?? c)
    .join('')
    .normalize('NFD');
const table = [];
let refined = 0;
for (const [c, p] of [...ma].sort((x, y) => x[0].codePointAt(0) - y[0].codePointAt(0))) {
  // A source that NFD changes is never looked up (the skeleton decomposes first).
  if (c.normalize('NFD') !== c) continue;
  // A prototype's NFD can hold mapped marks (Ž's caron maps to a breve): those are mapped too, so
  // that the skeleton of a skeleton is itself (the spec's one pass is not, for 30-odd entries).
  let k = p.normalize('NFD');
  for (let n = 0; skeleton(k) !== k; n++) {
    if (n > 5) throw new Error(`prototype of ${hex(c)} has no fixed point`);
    k = skeleton(k);
    refined++;
  }
  table.push([c, k]);
}
// names.ts's nameKey repeats skeleton(fold(s)) until it stands still (a prototype may be a capital:
// "0" -> "O"). Checked here for every character either table mentions, so the loop always ends.
const foldStr = (s) => [...s].map((c) => fold.get(c) ?? c).join('');
let keySteps = 0;
const mentioned = new Set([...ma.keys(), ...fold.keys()]);
for (const v of [...ma.values(), ...fold.values()]) for (const c of v) mentioned.add(c);
for (const c of mentioned) {
  let cur = skeleton(foldStr(c.normalize('NFKC')));
  for (let n = 1; ; n++) {
    const next = skeleton(foldStr(cur));
    if (next === cur) {
      keySteps = Math.max(keySteps, n);
      break;
    }
    if (n > 8) throw new Error(`skeleton(fold()) of ${hex(c)} does not stand still`);
    cur = next;
  }
}
const folds = [...fold].sort((x, y) => x[0].codePointAt(0) - y[0].codePointAt(0));

// --- script names for mixed-script detection (values of the Script property) ---
const scripts = [];
for (const line of ppucdTxt.split('\n')) {
  const m = /^value;sc;([^;]+);([^;\s]+)/.exec(line);
  if (!m || m[2] === 'Common' || m[2] === 'Inherited' || m[2] === 'Unknown') continue;
  try {
    new RegExp(`\\p{Script_Extensions=${m[2]}}`, 'u');
    scripts.push(m[2]);
  } catch {
    // a script value this engine's regexps do not know (codes reserved for future scripts)
  }
}

const sha = (t) => createHash('sha256').update(t).digest('hex');
const enc = (rows) => rows.map(([c, k]) => `${hex(c)}=${hex(k)}`).join(',');
const out = `// Generated by scripts/genNameData.mjs from Unicode ${version} data; do not edit.
// confusables.txt sha256 ${sha(confusablesTxt)}
// CaseFolding.txt sha256 ${sha(caseFoldingTxt)}
// Each table: source code point (hex) = its replacement (hex code points joined by '.'), comma-separated.

/** The Unicode version of the confusables and case-folding data. */
export const UNICODE_DATA_VERSION = '${version}';

/** Values of the Script property (long names) besides Common, Inherited and Unknown. */
export const SCRIPTS: readonly string[] = ${JSON.stringify(scripts)};

/** confusables.txt, MA: ${table.length} prototypes (sources NFD leaves alone, prototypes in NFD). */
export const PROTOTYPES =
  '${enc(table)}';

/** CaseFolding.txt, statuses C and F (full case folding): ${folds.length} entries. */
export const FOLDINGS =
  '${enc(folds)}';
`;
writeFileSync(join(root, 'src/protocol/confusablesData.ts'), out);
console.log(
  `Unicode ${version}: ${table.length} of ${ma.size} MA prototypes, ${folds.length} foldings, ${refined} prototypes refined to a fixed point, keys stand still after ${keySteps} rounds, ${scripts.length} scripts, ${out.length} bytes`,
);
