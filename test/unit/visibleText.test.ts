import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { neutralize } from '../../src/host/plainText';
import { visibleParts, visibleString } from '../../src/webview/logic/visibleText';

/** Bidi controls: never shown as they are, whatever surrounds them. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const joined = (text: string) =>
  visibleParts(text)
    .map((p) => ('text' in p ? p.text : p.mark))
    .join('');
const marks = (text: string) => visibleParts(text).filter((p) => 'mark' in p);

describe('invisible and bidi characters in the view (issue 14, point 8)', () => {
  it('a right-to-left override in a file name shows as a mark, so it cannot read "evilexe.txt"', () => {
    assert.equal(visibleString('evil\u202Etxt.exe'), 'evil⟨U+202E⟩txt.exe');
    assert.equal(visibleString('report\u202Dfdp.exe\u202C'), 'report⟨U+202D⟩fdp.exe⟨U+202C⟩');
    const [mark] = marks('evil\u202Etxt.exe');
    assert.ok('mark' in mark && mark.mark === '\u202E');
    assert.match('title' in mark ? mark.title : '', /U\+202E RIGHT-TO-LEFT OVERRIDE/);
  });

  it('zero-width characters in a name, isolates, marks and BOMs are marked; a run shares one mark', () => {
    assert.equal(visibleString('ali\u200Bce'), 'ali⟨U+200B⟩ce');
    assert.equal(visibleString('bob\u2060'), 'bob⟨U+2060⟩');
    assert.equal(visibleString('\uFEFFcarol'), '⟨U+FEFF⟩carol');
    assert.equal(visibleString('pay\u200Cpal'), 'pay⟨U+200C⟩pal'); // a non-joiner between Latin letters joins nothing
    assert.equal(visibleString('a\u2066b\u2069c\u2067d\u2068e'), 'a⟨U+2066⟩b⟨U+2069⟩c⟨U+2067⟩d⟨U+2068⟩e');
    assert.equal(visibleString('x\u200E\u200F\u061Cy'), 'x⟨U+200E U+200F U+061C⟩y');
    assert.equal(visibleString('z\u200B\u200B\u200B\u200B\u200B'), 'z⟨U+200B U+200B U+200B U+200B …+1⟩');
    assert.equal(visibleString('bell\u0007 esc\u001b[31m'), 'bell⟨U+0007⟩ esc⟨U+001B⟩[31m');
    assert.equal(visibleString('tab\tnew\nline\r\n'), 'tab\tnew\nline\r\n');
    // The spoofed command in a code block: what runs is what shows.
    assert.equal(visibleString('rm -rf ./build \u2067/ \u2069# clean'), 'rm -rf ./build ⟨U+2067⟩/ ⟨U+2069⟩# clean');
  });

  it('tag characters outside an emoji flag are marked, and their tooltip says the hidden text', () => {
    const hidden = 'ok\u{E0069}\u{E0067}\u{E006E}\u{E006F}\u{E0072}\u{E0065}!';
    assert.equal(visibleString(hidden), 'ok⟨U+E0069 U+E0067 U+E006E U+E006F …+2⟩!');
    const [mark] = marks(hidden);
    assert.match('title' in mark ? mark.title : '', /spell "ignore"/);
    assert.equal(visibleString('\u{E0001}\u{E0065}\u{E006E}'), '⟨U+E0001 U+E0065 U+E006E⟩'); // a language tag
    assert.equal(visibleString('a\u{E0067}\u{E0062}\u{E007F}'), 'a⟨U+E0067 U+E0062 U+E007F⟩'); // no emoji before the tags
    // Tags after a valid flag sequence are not part of it.
    assert.equal(
      visibleString('🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}\u{E0041}'),
      '🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}⟨U+E0041⟩',
    );
    assert.equal(visibleString('🏴\u{E0067}\u{E0062}'), '🏴⟨U+E0067 U+E0062⟩'); // no CANCEL TAG: not a flag
  });

  it('emoji flags, ZWJ sequences, Arabic, Hebrew, Persian and Indic text survive intact', () => {
    const intact = [
      '🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}', // England
      '🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}', // Scotland
      '👨\u200D👩\u200D👧', // family
      '🏳\uFE0F\u200D🌈', // rainbow flag
      '🧑🏽\u200D💻', // technologist, with a skin tone
      '❤\uFE0F\u200D🔥',
      '🇩🇪 🇯🇵',
      'محمد',
      'فاطمة الزهراء',
      'مُحَمَّد', // with vowel marks
      'דוד',
      'שָׁלוֹם',
      'می\u200Cخواهم', // Persian: the non-joiner is spelling
      'क्\u200Dष', // Devanagari: the joiner after a virama
      'Zoë, José, Łukasz, 李雷, Дмитрий',
    ];
    for (const s of intact) {
      assert.equal(visibleString(s), s, JSON.stringify(s));
      assert.deepEqual(visibleParts(s), [{ text: s }]);
    }
    assert.equal(visibleString('a 👨\u200D👩\u200D👧 and \u202Eb'), 'a 👨\u200D👩\u200D👧 and ⟨U+202E⟩b');
    assert.equal(visibleString('👨\u200D'), '👨⟨U+200D⟩'); // a joiner with nothing to join
    assert.equal(visibleString('\u200D👩'), '⟨U+200D⟩👩');
  });

  it('shows what neutralize() drops for VS Code notifications (src/host/plainText.ts)', () => {
    for (let cp = 0; cp <= 0xffff; cp++) {
      // Carriage returns stay text in the view (code from Windows files has them).
      if ((cp >= 0xd800 && cp <= 0xdfff) || cp === 0x0d) continue;
      const ch = String.fromCharCode(cp);
      const text = `a${ch}b`;
      if (neutralize(text) !== text) assert.notEqual(visibleString(text), text, `U+${cp.toString(16)}`);
    }
  });

  it('for any text: the parts join back to it, no bidi control is left, and marking twice changes nothing', () => {
    const unit = fc.constantFrom(
      'a',
      'ب',
      'ש',
      ' ',
      '\n',
      '👨',
      '🏴',
      '\uFE0F',
      '\u200B',
      '\u200C',
      '\u200D',
      '\u202E',
      '\u2066',
      '\u2069',
      '\u200F',
      '\u061C',
      '\uFEFF',
      '\u0007',
      '\u{E0067}',
      '\u{E0062}',
      '\u{E007F}',
      '\u{E0001}',
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 60 }), (text) => {
        assert.equal(joined(text), text);
        const shown = visibleString(text);
        assert.ok(!BIDI.test(shown), JSON.stringify(shown));
        assert.equal(visibleString(shown), shown);
      }),
    );
  });

  it('the view puts text into the DOM only through ui/dom.ts, which shows invisible characters', () => {
    const uiDir = join(__dirname, '..', '..', '..', 'src', 'webview', 'ui');
    const offenders: string[] = [];
    for (const file of readdirSync(uiDir).filter((f) => f.endsWith('.ts') && f !== 'dom.ts')) {
      readFileSync(join(uiDir, file), 'utf8')
        // A ternary the formatter wrapped is one statement: its `?` and `:` lines join the first.
        .replace(/\n\s*(?=[?:] )/g, ' ')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, '');
          const where = `${file}:${i + 1}: ${line.trim()}`;
          if (/createTextNode\(|\.(innerHTML|outerHTML|innerText)\s*=|insertAdjacent(HTML|Text)\(/.test(code)) offenders.push(where);
          // textContent only with fixed text (a literal, or a choice between literals).
          const set = /\.textContent\s*=\s*(.+?);?\s*$/.exec(code);
          if (set && !/^(?:[\w.!]+\s*\?\s*)?'[^'`$]*'(?:\s*:\s*'[^'`$]*')?$/.test(set[1])) offenders.push(where);
          const attr = /\.(placeholder|title)\s*=\s*(.+?);?\s*$/.exec(code);
          if (attr && !/^visibleString\(|^'[^']*'$|^label\.label$/.test(attr[2])) offenders.push(where);
        });
    }
    assert.deepEqual(offenders, [], 'use h(), visible(), setText() or bdi() from ./dom');
  });
});
