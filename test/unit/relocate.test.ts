import { strict as assert } from 'node:assert';
import { relocate, relocateIn } from '../../src/client/relocate';

describe('snippet relocation', () => {
  const code = ['function add(a, b) {', '  return a + b;', '}'].join('\n');
  const file = ['// header', 'import x from "y";', '', ...code.split('\n'), '', 'export { add };'].join('\n');

  it('finds an unchanged snippet where it was', () => {
    assert.deepEqual(relocate(file, code, 4), { status: 'same', start: 4, end: 6 });
  });

  it('follows a snippet that moved down when lines were inserted above', () => {
    const moved = ['// new line 1', '// new line 2', file].join('\n');
    assert.deepEqual(relocate(moved, code, 4), { status: 'moved', start: 6, end: 8, exact: true });
  });

  it('ignores line endings and trailing spaces', () => {
    const crlf = file.replace(/\n/g, '  \r\n');
    assert.deepEqual(relocate(crlf, code, 4), { status: 'same', start: 4, end: 6 });
  });

  it('picks the occurrence nearest to the original line', () => {
    const twice = [code, '', '', '', '', '', '', '', code].join('\n');
    assert.deepEqual(relocate(twice, code, 13), { status: 'moved', start: 11, end: 13, exact: true });
  });

  it('finds an edited snippet by its best-matching lines', () => {
    const edited = file.replace('  return a + b;', '  const sum = a + b;\n  return sum;');
    assert.deepEqual(relocate(edited, code, 4), { status: 'moved', start: 4, end: 7, exact: false });
  });

  it('reports a snippet that is gone', () => {
    assert.deepEqual(relocate('completely\ndifferent\ncontent', code, 4), { status: 'notFound' });
    assert.deepEqual(relocate('', code, 1), { status: 'notFound' });
  });

  it('finds the snippet in a renamed file among candidates, preferring exact matches', () => {
    const r = relocateIn(
      [
        { path: 'src/other.ts', text: 'nothing here' },
        { path: 'src/close.ts', text: file.replace('  return a + b;', '  return a - b;') },
        { path: 'src/math/add.ts', text: file },
      ],
      code,
      4,
    );
    assert.equal(r?.path, 'src/math/add.ts');
    assert.equal(r?.located.status, 'same');
  });

  it('falls back to the best edited match among candidates when none is exact', () => {
    const r = relocateIn(
      [
        { path: 'src/other.ts', text: 'nothing here' },
        { path: 'src/close.ts', text: file.replace('  return a + b;', '  return a - b;') },
      ],
      code,
      4,
    );
    assert.deepEqual(r, { path: 'src/close.ts', located: { status: 'moved', start: 4, end: 6, exact: false } });
  });
});

// The corpus of issue 13: the sender shares lines 12–20 (`discount()`, 9 lines) of a 25-line file,
// possibly after editing them; the receiver's copy of the file has changed in its own ways.
describe('snippet relocation after edits and moves', () => {
  const head = [
    "import type { Cart } from './cart';", //  1
    '', //  2
    'const TAX = 0.2;', //  3
    '', //  4
    'export function subtotal(cart: Cart): number {', //  5
    '  let sum = 0;', //  6
    '  for (const item of cart.items) sum += item.price * item.qty;', //  7
    '  return sum;', //  8
    '}', //  9
    '', // 10
    '// Loyal customers get money off.', // 11
  ];
  const discount = [
    'export function discount(cart: Cart, loyal: boolean): number {', // 12
    '  const total = subtotal(cart);', // 13
    '  if (loyal && total > 100) {', // 14
    '    return total * 0.1;', // 15
    '  }', // 16
    '  if (loyal) return total * 0.05;', // 17
    '  // everyone else pays full price', // 18
    '  return 0;', // 19
    '}', // 20
  ];
  const tail = [
    '', // 21
    'export function total(cart: Cart, loyal: boolean): number {', // 22
    '  const net = subtotal(cart) - discount(cart, loyal);', // 23
    '  return Math.round(net * (1 + TAX) * 100) / 100;', // 24
    '}', // 25
  ];
  const inserted = ['// Prices are in euros.', 'const MIN_ORDER = 5;', '', 'export const isEmpty = (cart: Cart) => cart.items.length === 0;', ''];
  /** The receiver's file: bob inserted 5 lines after the import, and maybe changed `discount()`. */
  const bobs = (body: string[] = discount) => [head[0], ...inserted, ...head.slice(1), ...body, ...tail].join('\n');
  const replace = (lines: string[], index: number, text: string) => lines.map((l, i) => (i === index ? text : l));
  const original = [...head, ...discount, ...tail].join('\n');

  it('sanity: the original file has discount() at 12–20', () => {
    assert.equal(original.split('\n').length, 25);
    assert.deepEqual(relocate(original, discount.join('\n'), 12), { status: 'same', start: 12, end: 20 });
  });

  it('issue 13: sender edited a line inside, receiver inserted 5 lines above', () => {
    const sent = replace(discount, 3, '    return total * 0.15;').join('\n');
    assert.deepEqual(relocate(bobs(), sent, 12), { status: 'moved', start: 17, end: 25, exact: false });
  });

  it('inserted above only: an exact move', () => {
    assert.deepEqual(relocate(bobs(), discount.join('\n'), 12), { status: 'moved', start: 17, end: 25, exact: true });
  });

  it('edited inside only: stays where it was, not exact', () => {
    const sent = replace(discount, 5, '  if (loyal) return total * 0.07;').join('\n');
    assert.deepEqual(relocate(original, sent, 12), { status: 'moved', start: 12, end: 20, exact: false });
  });

  it('edited first line, and moved', () => {
    const sent = replace(discount, 0, 'export function discount(cart: Cart, loyal = false): number {').join('\n');
    assert.deepEqual(relocate(bobs(), sent, 12), { status: 'moved', start: 17, end: 25, exact: false });
  });

  it('edited last line (lines 12–19, ending in the edited return), and moved', () => {
    const sent = replace(discount.slice(0, 8), 7, '  return total > 50 ? 1 : 0;').join('\n');
    assert.deepEqual(relocate(bobs(), sent, 12), { status: 'moved', start: 17, end: 24, exact: false });
  });

  it('both first and last lines edited, and moved', () => {
    const sent = replace(replace(discount.slice(0, 8), 7, '  return -1;'), 0, 'function discount(cart: Cart, loyal: boolean) {').join('\n');
    assert.deepEqual(relocate(bobs(), sent, 12), { status: 'moved', start: 17, end: 24, exact: false });
  });

  it('lines deleted inside the receiver’s block: a shorter span', () => {
    const bobsBody = discount.filter((_, i) => i !== 5 && i !== 6);
    assert.deepEqual(relocate(bobs(bobsBody), discount.join('\n'), 12), { status: 'moved', start: 17, end: 23, exact: false });
  });

  it('lines added inside the receiver’s block: a longer span', () => {
    const bobsBody = [...discount.slice(0, 2), '  if (!cart.items.length) {', '    return 0;', '  }', ...discount.slice(2)];
    assert.deepEqual(relocate(bobs(bobsBody), discount.join('\n'), 12), { status: 'moved', start: 17, end: 28, exact: false });
  });

  it('lines added just before the closing lines keep `return 0; }` in the span', () => {
    const bobsBody = [...discount.slice(0, 7), '  log(cart);', '  log(total);', '  log(loyal);', ...discount.slice(7)];
    const sent = replace(discount, 3, '    return total * 0.15;').join('\n');
    assert.deepEqual(relocate(bobs(bobsBody), sent, 12), { status: 'moved', start: 17, end: 28, exact: false });
  });

  it('sender edited a line and receiver deleted another, and moved', () => {
    const bobsBody = discount.filter((_, i) => i !== 6);
    const sent = replace(discount, 1, '  const total = subtotal(cart) - 1;').join('\n');
    assert.deepEqual(relocate(bobs(bobsBody), sent, 12), { status: 'moved', start: 17, end: 24, exact: false });
  });

  it('duplicated blocks: the copy nearest the original position', () => {
    const sent = replace(discount, 3, '    return total * 0.15;').join('\n');
    // Copies at 17–25 and at 32–40 (after the tail and a blank line).
    const twice = [bobs(), '', ...discount].join('\n');
    assert.deepEqual(relocate(twice, sent, 12), { status: 'moved', start: 17, end: 25, exact: false });
    assert.deepEqual(relocate(twice, sent, 30), { status: 'moved', start: 32, end: 40, exact: false });
  });

  it('duplicated blocks: an exact copy wins over a nearer edited one', () => {
    const edited = replace(discount, 3, '    return total * 0.2;');
    const twice = [bobs(edited), '', ...discount].join('\n');
    assert.deepEqual(relocate(twice, discount.join('\n'), 12), { status: 'moved', start: 32, end: 40, exact: true });
  });

  it('duplicated blocks: the better-matching copy wins over a nearer, more edited one', () => {
    const sent = replace(discount, 3, '    return total * 0.15;').join('\n');
    const moreEdited = replace(replace(discount, 1, '  const total = 0;'), 5, '  if (loyal) return 1;');
    const twice = [bobs(moreEdited), '', ...discount].join('\n');
    assert.deepEqual(relocate(twice, sent, 12), { status: 'moved', start: 32, end: 40, exact: false });
  });

  it('an unrelated file: not found', () => {
    const other = ['# Notes', '', 'Nothing to see here.', '', '- one', '- two', '}', '}', ''].join('\n');
    assert.deepEqual(relocate(other, discount.join('\n'), 12), { status: 'notFound' });
  });

  it('only braces and blank lines in common: not found', () => {
    const braces = ['class A {', '  x() {', '  }', '}', '', 'class B {', '  y() {', '  }', '}'].join('\n');
    assert.deepEqual(relocate(braces, ['function f() {', '  if (a) {', '  }', '}'].join('\n'), 1), { status: 'notFound' });
  });

  it('less than half of the lines left: not found', () => {
    const rewritten = [...discount.slice(0, 3), '    return total / 10;', '  }', '  return loyal ? total / 20 : 0;', '}'];
    const sent = [discount[0], '  const sum = total(cart);', '  if (sum > 100 && loyal) {', '    return sum * 0.1;', '  }', '  return 0;', '}'].join('\n');
    assert.deepEqual(relocate(bobs(rewritten), sent, 12), { status: 'notFound' });
  });

  it('a snippet with trailing blank lines: the span stops at the code', () => {
    assert.deepEqual(relocate(bobs(), discount.join('\n') + '\n\n\n', 12), { status: 'moved', start: 17, end: 25, exact: true });
    const sent = replace(discount, 3, '    return total * 0.15;').join('\n') + '\n\n';
    assert.deepEqual(relocate(bobs(), sent, 12), { status: 'moved', start: 17, end: 25, exact: false });
  });

  it('CRLF files and snippets', () => {
    const sent = replace(discount, 3, '    return total * 0.15;').join('\n');
    const crlf = bobs().replace(/\n/g, '\r\n');
    assert.deepEqual(relocate(crlf, sent, 12), { status: 'moved', start: 17, end: 25, exact: false });
    assert.deepEqual(relocate(crlf, sent.replace(/\n/g, '\r\n'), 12), { status: 'moved', start: 17, end: 25, exact: false });
    assert.deepEqual(relocate(crlf, discount.join('\r\n'), 12), { status: 'moved', start: 17, end: 25, exact: true });
  });

  it('re-indented lines and changed inner spacing still match', () => {
    const sent = discount.map((l) => l.replace(/^ +/, (s) => '\t'.repeat(s.length / 2)).replace(' * ', '  *  ')).join('\n');
    assert.deepEqual(relocate(bobs(), sent, 12), { status: 'moved', start: 17, end: 25, exact: false });
  });

  it('a 300-line snippet in a 20,000-line file relocates quickly', () => {
    const lines = Array.from({ length: 20000 }, (_, i) =>
      i % 7 === 6 ? '}' : i % 11 === 0 ? '' : `  const v${i} = compute(${i % 97}, "${(i * 7919) % 10007}");`,
    );
    const sent = lines.slice(12000, 12300);
    sent[150] = '  const edited = true;';
    sent[151] = '';
    const bobsLines = [...lines];
    bobsLines.splice(500, 0, ...Array.from({ length: 40 }, (_, i) => `// inserted ${i}`));
    bobsLines.splice(12040 + 200, 3); // three lines deleted inside the block
    const t0 = performance.now();
    const r = relocate(bobsLines.join('\n'), sent.join('\n'), 12001);
    const ms = performance.now() - t0;
    assert.deepEqual(r, { status: 'moved', start: 12041, end: 12337, exact: false });
    assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
  });

  it('a 300-line snippet in a 20,000-line file of repeated code relocates quickly', () => {
    // 500 copies of the same 40-line function (only the name differs): every body line is frequent.
    const fn = (k: number) => [
      `export function handler${k}(req: Request): Response {`,
      ...Array.from({ length: 38 }, (_, i) => (i % 5 === 4 ? '  }' : `  if (req.kind === ${i}) { return respond(req, ${i}); }`)),
      '}',
    ];
    const lines = Array.from({ length: 500 }, (_, k) => fn(k)).flat();
    assert.equal(lines.length, 20000);
    const sent = lines.slice(8000, 8300); // handler200 .. part of handler207
    sent[10] = '  if (req.kind === 99) { return respond(req, 99); }';
    const bobsLines = ['// one', '// two', ...lines];
    const t0 = performance.now();
    const r = relocate(bobsLines.join('\n'), sent.join('\n'), 8001);
    const ms = performance.now() - t0;
    assert.deepEqual(r, { status: 'moved', start: 8003, end: 8302, exact: false });
    assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
  });
});
