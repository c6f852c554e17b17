/** Properties of the core that must hold for any input, checked with fast-check. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseLine } from '#core/parse.ts';
import { FileLinter, lintText } from '#core/lint.ts';
import { splitLines } from '#core/text.ts';
import { isRuleCode } from '#core/rules.ts';
import { dimensionKey } from '#core/convert/naming.ts';

const NOW = 1_732_300_000_000;

/** Strings built from the protocol's own punctuation, so the generator reaches deep parser states often. */
const protocolish = fc
  .array(
    fc.oneof(
      fc.constantFrom(',', '=', ' ', '\t', '"', '\\', '.', '-', '_', ':', '#', '/', '\r', 'e', 'E', '+', 'x'),
      fc.constantFrom(
        'gauge,',
        'count,',
        'delta=',
        'min=',
        'max=',
        'sum=',
        'count=',
        'dt.',
        'dt.entity.host',
        'dt.meta.unit',
      ),
      fc.constantFrom(
        'my.metric',
        'Host',
        'host',
        '1732300000000',
        '1.5',
        'NaN',
        '1e400',
        '\u0000',
        '\uFFFD',
        '\uD83D',
        '😀',
        'ä',
      ),
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
    fc.property(
      fc.array(anyText, { maxLength: 8 }),
      fc.option(fc.integer({ min: 0, max: 4e12 }), { nil: null }),
      (lines, now) => {
        const text = lines.join('\n');
        const split = [...splitLines(text)];
        for (const d of lintText(text, { now })) {
          const line = split[d.line];
          assert.ok(line !== undefined, `line ${d.line} does not exist`);
          assert.ok(
            d.startChar >= 0 && d.startChar <= d.endChar && d.endChar <= line.length,
            `${d.code} [${d.startChar}, ${d.endChar}) outside a line of ${line.length}`,
          );
          assert.ok(isRuleCode(d.code), d.code);
          assert.ok(['error', 'warning', 'info', 'hint'].includes(d.severity));
          assert.ok(d.message.length > 0);
        }
      },
    ),
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
        for (const e of [...fix.edits].sort((a, b) => b.start - a.start))
          fixed = fixed.slice(0, e.start) + e.text + fixed.slice(e.end);
        const after = new FileLinter({ now: NOW }).lintLine(0, fixed);
        const same = after.filter((a) => a.code === d.code && a.startChar === d.startChar);
        assert.equal(
          same.length,
          0,
          `fix "${fix.title}" for ${d.code} on ${JSON.stringify(line)} gave ${JSON.stringify(fixed)}, still ${d.code}`,
        );
      }
    }),
    { numRuns: 3000 },
  );
});

/** The rules of a dimension key's form: characters, section starts, length, spaces. */
const KEY_FORM_RULES = new Set(['DK001', 'DK002', 'DK003', 'DK009']);

test('a dimension key as the converters write it is one the key rules find nothing in, and stays as it is when written again', () => {
  const dotted = fc
    .array(fc.stringMatching(/^[a-zA-Z0-9_:.\- ]{0,12}$/), { minLength: 1, maxLength: 4 })
    .map((parts) => parts.join('.'));
  // Keys already in form, around the length limit.
  const long = fc
    .array(fc.stringMatching(/^[a-z_][a-z0-9_]{0,19}$/), { minLength: 4, maxLength: 15 })
    .map((parts) => parts.join('.'));
  fc.assert(
    fc.property(fc.oneof(anyText, dotted, long), (raw) => {
      const key = dimensionKey(raw);
      if (key === null) return;
      assert.equal(dimensionKey(key), key);
      const findings = lintText(`my.metric,${key}=v gauge,1`, { now: null }).map((d) => d.code);
      assert.deepEqual(
        findings.filter((code) => KEY_FORM_RULES.has(code)),
        [],
        `${JSON.stringify(raw)} → ${key}`,
      );
    }),
    { numRuns: 3000 },
  );
});
