import * as assert from 'node:assert/strict';
import fc from 'fast-check';
// The grammars and engine lowlight wraps in the view (lowlight itself is ESM-only; these tests are CommonJS).
import hljs from 'highlight.js/lib/common';
import {
  detectionSample,
  HIGHLIGHT_CHUNK_CHARS,
  HIGHLIGHT_MAX_CHARS,
  HIGHLIGHT_MAX_LINE,
  highlightBounded,
  highlightPieces,
  isPlain,
} from '../../src/webview/logic/highlightBudget';

const hl = (language: string) => (code: string) => hljs.highlight(code, { language, ignoreIllegals: true });
const repeat = (s: string, n: number) => s.repeat(Math.ceil(n / s.length)).slice(0, n);
/** Text of n characters in lines of `width` (newline included). */
const lines = (s: string, n: number, width: number) => repeat(repeat(s, width - 1) + '\n', n);

const ms = (f: () => void) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
/** The least of n timings: the cost without what else the machine was doing meanwhile. */
const best = (n: number, f: () => void) => Math.min(...Array.from({ length: n }, () => ms(f)));

/** Ordinary Java, as someone would share it. */
const JAVA = `package com.example.orders;

import java.util.List;
import java.util.Map;

/** Totals an order's lines, with the discount for its customer. */
public class OrderTotals {
  private final Map<String, Double> discounts;

  public OrderTotals(Map<String, Double> discounts) {
    this.discounts = discounts;
  }

  // Lines with a zero quantity are skipped.
  public double total(String customer, List<Line> lines) {
    double sum = 0;
    for (Line l : lines) {
      if (l.quantity() == 0) continue;
      sum += l.price() * l.quantity();
    }
    return sum * (1 - discounts.getOrDefault(customer, 0.0));
  }

  @Override
  public String toString() {
    return "OrderTotals[" + discounts.size() + " discounts]";
  }
}

`;

/**
 * Inputs on which highlight.js is super-linear, each of the size limit and with lines within
 * the line limit (the worst the bounded path still highlights): words on short lines for the
 * C family (quadratic in the whole block), link openers on the longest allowed lines for
 * markdown (cubic in a line), long runs of identifier characters for java and ini.
 */
const HOSTILE: [string, string][] = [
  ['cpp', lines('abc', HIGHLIGHT_MAX_CHARS, 80)],
  ['markdown', lines('[a](', HIGHLIGHT_MAX_CHARS, HIGHLIGHT_MAX_LINE)],
  ['java', lines('_a', HIGHLIGHT_MAX_CHARS, HIGHLIGHT_MAX_LINE)],
  ['ini', lines('_a', HIGHLIGHT_MAX_CHARS, HIGHLIGHT_MAX_LINE)],
];

describe('syntax highlighting within a bound (issue 14, point 7)', () => {
  it('code above the size limit goes the plain path: the highlighter is not called', () => {
    let calls = 0;
    const big = repeat(JAVA, HIGHLIGHT_MAX_CHARS + 1);
    const out = highlightBounded(big, (c) => (calls++, hl('java')(c)));
    assert.equal(calls, 0);
    assert.deepEqual(out, [{ code: big }]);
    assert.ok(isPlain(out));
    assert.deepEqual(highlightBounded('', hl('java')), []);
  });

  it('a line above the line limit is plain; the lines around it are highlighted', () => {
    // The clock stands still here: this is about the line limit, not the time budget (which a
    // first highlight, compiling its grammar on a loaded machine, could spend on its own).
    const still = { now: () => 0 };
    const long = `${'x'.repeat(HIGHLIGHT_MAX_LINE + 1)}\n`;
    const out = highlightBounded(`int a = 1;\n${long}int b = 2;\n`, hl('java'), still);
    assert.deepEqual(
      out.map((s) => [s.code, s.tree !== undefined]),
      [
        ['int a = 1;\n', true],
        [long, false],
        ['int b = 2;\n', true],
      ],
    );
    assert.equal(highlightBounded('x'.repeat(HIGHLIGHT_MAX_LINE), hl('java'), still).length, 1);
    assert.ok(!isPlain(highlightBounded('x'.repeat(HIGHLIGHT_MAX_LINE), hl('java'), still)));
  });

  it('chunks are whole lines within the chunk size, cut after a blank line where there is one, and join to the input', () => {
    const code = repeat(JAVA, 10_000);
    const pieces = highlightPieces(code);
    assert.ok(pieces.length > 1);
    for (const p of pieces) {
      assert.ok(p.end - p.start <= HIGHLIGHT_CHUNK_CHARS);
      assert.ok(p.end === code.length || code[p.end - 1] === '\n');
      // JAVA has blank lines well inside every 2000 characters: every cut follows one.
      if (p.end < code.length) assert.match(code.slice(0, p.end), /\n[ \t]*\n$/);
    }
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\n\n', 'bb'), maxLength: 400 }),
        fc.integer({ min: 4, max: 40 }),
        fc.integer({ min: 1, max: 30 }),
        (text, chunk, maxLine) => {
          const got = highlightPieces(text, chunk, maxLine);
          let at = 0;
          for (const p of got) {
            assert.equal(p.start, at);
            assert.ok(p.end > p.start);
            const piece = text.slice(p.start, p.end);
            const line = piece.replace(/\n$/, '');
            if (p.plain) assert.ok(!line.includes('\n') && line.length > maxLine);
            else assert.ok(piece.length <= Math.max(chunk, maxLine + 1));
            if (p.end < text.length) assert.equal(text[p.end - 1], '\n');
            at = p.end;
          }
          assert.equal(at, text.length);
        },
      ),
    );
  });

  it('no chunk starts once the budget is spent: the rest is plain; a chunk that throws is plain', () => {
    let now = 0;
    const code = repeat(JAVA, 10_000);
    const out = highlightBounded(code, (c) => ((now += 10), hl('java')(c)), { now: () => now, budgetMs: 25 });
    assert.equal(out.filter((s) => s.tree).length, 3); // started at 0, 10 and 20 ms
    assert.equal(out.length, 4);
    assert.equal(out[3].tree, undefined);
    assert.equal(out.map((s) => s.code).join(''), code);
    const failing = highlightBounded(code, () => {
      throw new Error('grammar broke');
    });
    assert.deepEqual(failing, [{ code }]);
    // Time spent before (auto-detection, the message's earlier code blocks) counts against the budget.
    const meter = { spentMs: 0 };
    const block = (c: string) => highlightBounded(c, (x) => ((now += 10), hl('java')(x)), { now: () => now, budgetMs: 25, meter });
    assert.ok(!isPlain(block(JAVA)));
    assert.equal(meter.spentMs, 10);
    assert.ok(!isPlain(block(JAVA)));
    assert.ok(!isPlain(block(JAVA)));
    assert.equal(meter.spentMs, 30);
    assert.deepEqual(block(JAVA), [{ code: JAVA }]);
  });

  it('auto-detection looks at the first lines only', () => {
    assert.equal(detectionSample('short'), 'short');
    const sample = detectionSample(JAVA.repeat(5));
    assert.ok(sample.length <= 500 && sample.endsWith('\n') && JAVA.startsWith(sample));
    assert.equal(detectionSample('y'.repeat(2000)).length, 500);
  });

  describe('cost, measured against a small normal file in the same run', function () {
    this.timeout(60_000);
    // About a hundred lines: twice a chunk.
    const normal = repeat(JAVA, 2 * HIGHLIGHT_CHUNK_CHARS);
    let baseline = 0;

    before(() => {
      for (let i = 0; i < 5; i++) hl('java')(normal); // warm up the grammar
      for (const [lang, code] of HOSTILE) hl(lang)(code.slice(0, 200));
      baseline = best(7, () => hl('java')(normal));
    });

    it('one chunk of the worst inputs costs less than 50 times the small normal file', () => {
      for (const [lang, code] of HOSTILE) {
        const first = highlightPieces(code)[0];
        const chunk = code.slice(first.start, first.end);
        const t = best(3, () => hl(lang)(chunk));
        assert.ok(
          t < 50 * baseline,
          `${lang}: a ${chunk.length}-character chunk took ${t.toFixed(1)} ms, ${(t / baseline).toFixed(1)}× a normal file of ${normal.length} (${baseline.toFixed(2)} ms)`,
        );
      }
    });

    it('highlighting the worst inputs of the size limit stops at the budget: the whole costs less than 50 times a normal file', () => {
      // The budget in the view is 30 ms; here it is scaled to this machine: 10 normal files.
      const budgetMs = 10 * baseline;
      for (const [lang, code] of HOSTILE) {
        let out: ReturnType<typeof highlightBounded> = [];
        const t = best(3, () => (out = highlightBounded(code, hl(lang), { budgetMs })));
        assert.equal(out.map((s) => s.code).join(''), code);
        assert.ok(out.some((s) => s.tree) && out.some((s) => !s.tree), `${lang}: part highlighted, the rest plain`);
        assert.ok(
          t < 50 * baseline,
          `${lang}: ${code.length} characters took ${t.toFixed(1)} ms, ${(t / baseline).toFixed(1)}× a normal file of ${normal.length} (${baseline.toFixed(2)} ms)`,
        );
      }
    });

    it('a single line of the size limit costs no more than splitting it off (it is plain)', () => {
      const code = repeat('[a](', HIGHLIGHT_MAX_CHARS);
      let out: ReturnType<typeof highlightBounded> = [];
      const t = best(2, () => (out = highlightBounded(code, hl('markdown'))));
      assert.ok(isPlain(out));
      assert.ok(t < 10 * baseline, `${t.toFixed(2)} ms`);
    });
  });
});
