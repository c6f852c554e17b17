/** Properties of the core that must hold for any input, checked with fast-check. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseLine } from '#core/parse.ts';
import { FileLinter, lintText } from '#core/lint.ts';
import { splitLines } from '#core/text.ts';
import { isRuleCode } from '#core/rules.ts';

const NOW = 1_732_300_000_000;

/** Strings built from the protocol's own punctuation, so the generator reaches deep parser states often. */
const protocolish = fc
  .array(
    fc.oneof(
      fc.constantFrom(',', '=', ' ', '\t', '"', '\\', '.', '-', '_', ':', '#', '/', '\r', 'e', 'E', '+', 'x'),
      fc.constantFrom('gauge,', 'count,', 'delta=', 'min=', 'max=', 'sum=', 'count=', 'dt.', 'dt.entity.host', 'dt.meta.unit'),
      fc.constantFrom('my.metric', 'Host', 'host', '1732300000000', '1.5', 'NaN', '1e400', '\u0000', '\uFFFD', '\uD83D', '😀', 'ä'),
      fc.integer({ min: -1e6, max: 1e6 }).map(String),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), protocolish);

test('the parser never throws, whatever the line', () => {
  fc.assert(
    fc.property(anyText, (line) => {
      parseLine(line);
    }),
    { numRuns: 3000 },
  );
});

test('every diagnostic lies inside its line and names a known rule', () => {
  fc.assert(
    fc.property(fc.array(anyText, { maxLength: 8 }), fc.option(fc.integer({ min: 0, max: 4e12 }), { nil: null }), (lines, now) => {
      const text = lines.join('\n');
      const split = [...splitLines(text)];
      for (const d of lintText(text, { now })) {
        const line = split[d.line];
        assert.ok(line !== undefined, `line ${d.line} does not exist`);
        assert.ok(d.startChar >= 0 && d.startChar <= d.endChar && d.endChar <= line.length, `${d.code} [${d.startChar}, ${d.endChar}) outside a line of ${line.length}`);
        assert.ok(isRuleCode(d.code), d.code);
        assert.ok(['error', 'warning', 'info', 'hint'].includes(d.severity));
        assert.ok(d.message.length > 0);
      }
    }),
    { numRuns: 2000 },
  );
});

test('every fix an edit offers removes its own finding', () => {
  fc.assert(
    fc.property(protocolish, (line) => {
      const before = new FileLinter({ now: NOW }).lintLine(0, line);
      for (const d of before) {
        const fix = d.data?.fix;
        if (!fix) continue;
        let fixed = line;
        for (const e of [...fix.edits].sort((a, b) => b.start - a.start)) fixed = fixed.slice(0, e.start) + e.text + fixed.slice(e.end);
        const after = new FileLinter({ now: NOW }).lintLine(0, fixed);
        const same = after.filter((a) => a.code === d.code && a.startChar === d.startChar);
        assert.equal(same.length, 0, `fix "${fix.title}" for ${d.code} on ${JSON.stringify(line)} gave ${JSON.stringify(fixed)}, still ${d.code}`);
      }
    }),
    { numRuns: 3000 },
  );
});

/** Lints a line and returns the fastest of a few runs, in ms: the least noisy estimate on a busy machine. */
function fastestLint(line: string): number {
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    new FileLinter({ now: NOW }).lintLine(0, line);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const ADVERSARIAL: Record<string, (n: number) => string> = {
  backslashes: (n) => '\\'.repeat(n),
  quotes: (n) => '"'.repeat(n),
  commas: (n) => 'm.k' + ','.repeat(n) + ' 5',
  equals: (n) => 'm.k,k=' + '='.repeat(n) + ' 5',
  'escaped quotes in a quoted value': (n) => 'm.k,k="' + '\\"'.repeat(n / 2) + ' 5',
  'backslashes in an unquoted value': (n) => 'm.k,k=' + '\\'.repeat(n) + ' 5',
  dimensions: (n) => 'm.k' + ',a=b'.repeat(n / 4) + ' 5',
  'duplicate dimensions': (n) => 'm.k' + ',a=b'.repeat(n / 4) + ' 5',
  'upper-case dimension key': (n) => 'm.k,' + 'Aa'.repeat(n / 2) + '=v 5',
  spaces: (n) => 'm.k,k=v' + ' x'.repeat(n / 2) + ' 5',
  dots: (n) => '.'.repeat(n) + ' 5',
  'summary fields': (n) => 'm.k gauge,' + 'min=1,'.repeat(n / 6) + 'count=1',
  'control characters': (n) => 'm.k,k="' + '\u0001'.repeat(n) + '" 5',
};

for (const [name, make] of Object.entries(ADVERSARIAL)) {
  test(`time stays linear on an adversarial line: ${name}`, () => {
    // 25,000 characters and 8× that: linear work grows about 8×, quadratic work 64×. The margin on both sides
    // of the bound keeps the test steady on a busy machine (and the lines hold 50,000+ characters, as asked).
    fastestLint(make(25_000)); // warm up the JIT on this shape
    const small = fastestLint(make(25_000));
    const large = fastestLint(make(200_000));
    const ratio = large / Math.max(small, 0.05);
    assert.ok(ratio < 20, `8× the input took ${ratio.toFixed(1)}× the time (${small.toFixed(2)} ms → ${large.toFixed(2)} ms)`);
  });
}
