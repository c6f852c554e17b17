/**
 * JSON data points → metric lines (core/convert/json.ts): the fixtures of test/fixtures/convert/json (seed 000's
 * object, an array, one per line, the Timeseries v1 custom-device shape, wrapper lists), then properties on any
 * JSON: nothing thrown, every item accounted for, every line clean; and well-formed points all converted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { createJsonConverter } from '#core/convert/json.ts';
import { ROOT } from '../cli/helpers.ts';
import { assertAccounted, convertText, fixtureTests } from './convert-fixtures.ts';

const DIR = join(ROOT, 'test', 'fixtures', 'convert', 'json');

describe('JSON → metric lines: fixtures', () => {
  fixtureTests(DIR, '.json', createJsonConverter);
  fixtureTests(DIR, '.jsonl', createJsonConverter);
});

describe('JSON → metric lines: properties', () => {
  it('any JSON text, pretty or on one line: nothing thrown, every item accounted for, every line clean', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const conversion = convertText(createJsonConverter, JSON.stringify(value, null, pretty ? 2 : undefined));
        assertAccounted(conversion, JSON.stringify(value));
      }),
      { numRuns: 500 },
    );
  });

  it('wrappers nested deeper than any shape: one level is read, the rest is not a data point (no stack overflow)', () => {
    const deep = '{"series":['.repeat(20_000) + ']}'.repeat(20_000);
    const conversion = convertText(createJsonConverter, deep);
    assertAccounted(conversion, 'deep');
    assert.deepEqual(conversion.tally, { items: 1, converted: 0, skipped: 1 });
  });

  it('a value or a timestamp nested deeper than JSON.stringify goes: reported by its outline, nothing thrown', () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const conversion = convertText(
      createJsonConverter,
      `{"metric":"cpu.temp","value":${deep}}\n{"metric":"cpu.temp","value":1,"timestamp":${deep}}`,
    );
    assertAccounted(conversion, 'deep values');
    assert.deepEqual(conversion.tally, { items: 2, converted: 1, skipped: 1 });
    assert.match(conversion.notes[0]?.message ?? '', /^the value `\[… 1 elements\]` is no finite number$/);
  });

  it('any text at all: nothing thrown, every item accounted for', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) =>
        assertAccounted(convertText(createJsonConverter, text), text),
      ),
      { numRuns: 500 },
    );
  });

  const point = fc.record({
    metric: fc.stringMatching(/^[a-z][a-z0-9_]{2,10}(\.[a-z][a-z0-9_]{0,10}){0,2}$/),
    value: fc.double({ noNaN: true, noDefaultInfinity: true }),
    dimensions: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.string({ minLength: 1, maxLength: 20 }), {
      maxKeys: 5,
    }),
  });
  it('well-formed points, as an array or one per line: each one a line', () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 20 }), fc.boolean(), (points, asArray) => {
        const text = asArray ? JSON.stringify(points, null, 1) : points.map((p) => JSON.stringify(p)).join('\n');
        const conversion = convertText(createJsonConverter, text);
        assertAccounted(conversion, text);
        assert.equal(conversion.tally.items, points.length);
        assert.equal(conversion.lines.length, points.length);
      }),
      { numRuns: 300 },
    );
  });
});
