import * as assert from 'node:assert/strict';
import { PROTOTYPES } from '../../src/protocol/confusablesData';
import { foldCase, lookKey, nameKey, nameKeys, nameProblem, namesClash, skeleton, UNICODE_DATA_VERSION } from '../../src/protocol/names';
import { UserName } from '../../src/protocol/wire';

/** Every source character confusables.txt maps to exactly `proto`. */
function sourcesOf(proto: string): string[] {
  const want = [...proto].map((c) => c.codePointAt(0)!.toString(16)).join('.');
  return PROTOTYPES.split(',')
    .filter((e) => e.slice(e.indexOf('=') + 1) === want)
    .map((e) => String.fromCodePoint(parseInt(e.slice(0, e.indexOf('=')), 16)));
}

describe('names: confusable skeletons (UTS #39)', () => {
  it('uses Unicode data of the engine’s version', () => {
    assert.equal(UNICODE_DATA_VERSION.split('.').slice(0, 2).join('.'), process.versions.unicode);
  });

  it('gives the look-alikes of the issue the key of the real name', () => {
    for (const fake of ['аlice' /* Cyrillic а */, 'alіce' /* Ukrainian і */, 'ａｌｉｃｅ', 'ALICE', 'Alice', 'a1ice', 'ali\u0441e' /* Cyrillic с */]) {
      assert.equal(nameKey(fake), nameKey('alice'), fake);
      assert.ok(namesClash(fake, 'alice'), fake);
    }
    // A capital I looks like l: case folding alone would make it "aiice"; the look key catches it.
    assert.equal(nameKey('aIice'), 'aiice');
    assert.equal(lookKey('aIice'), nameKey('alice'));
    assert.ok(namesClash('aIice', 'alice'));
    assert.ok(namesClash('aIice', 'ALICE'));
    // Greek capital zeta looks like Z.
    assert.ok(namesClash('Ζoe', 'Zoe'));
    assert.ok(namesClash('Ζoe', 'zoe'));
    // Whole-script: Cyrillic capitals that spell a Latin word.
    assert.ok(namesClash('ВОВ', 'bob'));
    assert.ok(namesClash('b0b', 'bob'));
  });

  it('makes multi-character prototypes work as the table says', () => {
    assert.equal(skeleton('m'), 'rn');
    assert.ok(namesClash('rn', 'm'));
    assert.ok(namesClash('kim', 'kirn'));
    assert.ok(namesClash('emma', 'ernrna'));
    assert.ok(!namesClash('emma', 'erma'));
  });

  it('folds case fully: ß is ss, final sigma is sigma, long s is s', () => {
    assert.equal(foldCase('Straße'), 'strasse');
    assert.equal(foldCase('ẞ'), 'ss');
    assert.equal(foldCase('ΣΟΦΟΣ'), 'σοφοσ');
    assert.equal(foldCase('σοφος'), 'σοφοσ');
    assert.equal(foldCase('ſ'), 's');
    assert.ok(namesClash('STRASSE', 'straße'));
    assert.ok(namesClash('ΣΟΦΟΣ', 'σοφος'));
    // toLowerCase would have kept these apart.
    assert.notEqual('straße'.toLowerCase(), 'STRASSE'.toLowerCase());
  });

  it('keeps distinct real names apart, diacritics included', () => {
    const distinct = [
      'alice',
      'alicia',
      'bob',
      'rob',
      'Zoe',
      'Zoë',
      'dan',
      'don',
      'Miia',
      'Mila',
      'clara',
      'ciara',
      'Li',
      'Ll',
      'José',
      'Jose',
      'Ivan',
      'Iwan',
      'anna',
      'ana',
      'Иван',
      'Ζωή',
      '田中',
      '田村',
    ];
    for (let i = 0; i < distinct.length; i += 2) assert.ok(!namesClash(distinct[i]!, distinct[i + 1]!), `${distinct[i]} vs ${distinct[i + 1]}`);
    // Diacritics are not confusables in the table: "Zoë" is its own name (a documented choice).
    assert.notEqual(nameKey('Zoë'), nameKey('Zoe'));
    // NFC and NFD spellings of one name are one name.
    assert.equal(nameKey('Zoe\u0308'), nameKey('Zoë'));
  });

  it('is stable: the key of a key is the key', () => {
    for (const n of ['alice', 'ALICE', 'аlice', 'Straße', 'm', 'b0b', 'Ζωή', '田中taro', 'Ǆemal', 'ǅ']) {
      assert.equal(nameKey(nameKey(n)), nameKey(n), n);
      assert.equal(skeleton(skeleton(n)), skeleton(n), n);
    }
  });

  it('maps every single-letter look-alike of "alice" that the table lists to a refused or clashing name', () => {
    // Every character confusables.txt gives as a look-alike of a, l, i, c or e (or their capitals).
    let variants = 0;
    let passed = 0;
    for (const [i, ch] of [...'alice'].entries()) {
      for (const fake of [...sourcesOf(ch), ...sourcesOf(ch.toUpperCase())]) {
        const name = 'alice'.slice(0, i) + fake + 'alice'.slice(i + 1);
        if (!UserName.safeParse(name.normalize('NFC')).success) continue; // refused by the character rule already
        variants++;
        if (nameProblem(name) === undefined && !namesClash(name, 'alice')) passed++;
      }
    }
    assert.ok(variants > 40, `only ${variants} variants`);
    assert.equal(passed, 0);
  });
});

describe('names: characters and scripts a name may not hold', () => {
  const cases: [string, RegExp][] = [
    ['a\u202ebc', /bidirectional control character \(U\+202E \(RIGHT-TO-LEFT OVERRIDE\)\)/],
    ['ab\u202dc', /bidirectional control character \(U\+202D/],
    ['ab\u2066c\u2069', /bidirectional control character \(U\+2066 \(LEFT-TO-RIGHT ISOLATE\)\)/],
    ['a\u200fb', /bidirectional control character \(U\+200F \(RIGHT-TO-LEFT MARK\)\)/],
    ['a\u200eb', /bidirectional control character \(U\+200E/],
    ['a\u061cb', /bidirectional control character \(U\+061C \(ARABIC LETTER MARK\)\)/],
    ['al\u200bice', /invisible character \(U\+200B \(ZERO WIDTH SPACE\)\)/],
    ['al\u200cice', /invisible character \(U\+200C \(ZERO WIDTH NON-JOINER\)\)/],
    ['al\u200dice', /invisible character \(U\+200D \(ZERO WIDTH JOINER\)\)/],
    ['al\u2060ice', /invisible character \(U\+2060 \(WORD JOINER\)\)/],
    ['al\u2063ice', /invisible character \(U\+2063 \(INVISIBLE SEPARATOR\)\)/],
    ['al\ufeffice', /invisible character \(U\+FEFF/],
    ['al\u00adice', /invisible character \(U\+00AD \(SOFT HYPHEN\)\)/],
    ['alice\ufe0f', /invisible character \(U\+FE0F \(VARIATION SELECTOR-16\)\)/],
    ['alice\u{e0100}', /invisible character \(U\+E0100 \(VARIATION SELECTOR-17\)\)/],
    ['alice\u{e0061}', /invisible character \(U\+E0061 \(a tag character\)\)/],
    ['al\u034fice', /invisible character \(U\+034F \(COMBINING GRAPHEME JOINER\)\)/],
    ['\u3164', /invisible character \(U\+3164 \(HANGUL FILLER\)\)/],
    ['a\u115f', /invisible character \(U\+115F/],
    ['a\u1160', /invisible character \(U\+1160/],
    ['a\uffa0', /invisible character \(U\+FFA0/],
    ['ali\u0007ce', /control character \(U\+0007\)/],
    ['alice\u2028', /control character \(U\+2028\)/],
    ['ali\ue000ce', /unassigned or private-use character \(U\+E000\)/],
  ];
  for (const [name, message] of cases) {
    it(`refuses ${JSON.stringify(name)} saying which character`, () => {
      assert.match(nameProblem(name) ?? 'accepted', message);
    });
  }

  it('refuses Latin mixed with Cyrillic or Greek letters, naming the scripts', () => {
    assert.match(nameProblem('аlice') ?? '', /cannot mix Cyrillic and Latin letters/);
    assert.match(nameProblem('alіce') ?? '', /cannot mix Latin and Cyrillic letters/);
    assert.match(nameProblem('Ζoe') ?? '', /cannot mix Greek and Latin letters/);
    assert.match(nameProblem('paypaΙ') ?? '', /Latin and Greek/);
    assert.match(nameProblem('abcЖαβ') ?? '', /Latin, Cyrillic and Greek/);
  });

  it('accepts single-script names and the combinations Highly Restrictive allows', () => {
    for (const ok of [
      'alice',
      'Bob_2',
      'j.doe-99',
      'ａｌｉｃｅ',
      'Zoë',
      'Иван',
      'Ζωή',
      'Σωκράτης',
      '田中',
      '田中taro',
      'たなか太郎',
      'タナカ',
      'kim김철수',
      'ㄅㄆ中文',
      'راشد',
      'דוד',
      'สมชาย',
      '०१२',
    ]) {
      assert.equal(nameProblem(ok), undefined, ok);
    }
  });

  it('refuses scripts that are not written together', () => {
    assert.match(nameProblem('김たなか') ?? '', /Hangul and Hiragana/);
    assert.match(nameProblem('abcราศี') ?? '', /Latin and Thai/);
  });

  it('gives every key of a name', () => {
    assert.deepEqual(nameKeys('alice'), ['alice']);
    assert.deepEqual(nameKeys('Ian'), ['ian', 'lan']);
  });
});
