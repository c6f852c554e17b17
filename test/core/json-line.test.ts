/**
 * JSON data points as metric lines (core/json-line.ts): each case of test/fixtures/json-line/cases.json, the
 * JSON in and the line (or null) out (`UPDATE_FIXTURES=1` writes the lines from the code); every line made passes
 * the linter without an error; and on any JSON at all the conversion never throws and never makes a line the
 * linter refuses.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { jsonToLine } from '#core/json-line.ts';
import { ROOT } from '../cli/helpers.ts';
import { BLESS, expectFixture, lintErrors } from './fixture-format.ts';

interface Case {
  why: string;
  json: unknown;
  line: string | null;
}

const CASES_FILE = join(ROOT, 'test', 'fixtures', 'json-line', 'cases.json');
const CASES = JSON.parse(readFileSync(CASES_FILE, 'utf8')) as Case[];

/** The cases file (one case a line) with each `"line"` the code makes written in; every other character kept. */
function blessCases(written: string): string {
  return written
    .split('\n')
    .map((text) => {
      const json = /^\s*(\{.*\}),?$/.exec(text)?.[1];
      if (json === undefined) return text;
      const c = JSON.parse(json) as Case;
      const line = jsonToLine(c.json);
      return line === c.line
        ? text
        : text.replace(
            /"line": (?:null|"(?:[^"\\]|\\.)*") \}(,?)$/,
            (_, comma: string) => `"line": ${JSON.stringify(line)} }${comma}`,
          );
    })
    .join('\n');
}

describe('jsonToLine', () => {
  for (const c of CASES) {
    it(`${c.why}: ${JSON.stringify(c.json)}`, () => {
      const line = jsonToLine(c.json);
      if (!BLESS) assert.equal(line, c.line, 'if the code is right, run the test with UPDATE_FIXTURES=1');
      if (line !== null) assert.deepEqual(lintErrors(line), [], line);
    });
  }

  if (BLESS) it('bless: the lines the code makes', () => expectFixture(CASES_FILE, blessCases));

  it('on any JSON: never throws, and a line it makes has no error', () => {
    const scalar = fc.oneof(
      fc.string(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    );
    const point = fc.record(
      {
        metric: fc.oneof(fc.string(), fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9._-]{0,20}$/)),
        value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string()),
        dimensions: fc.dictionary(fc.string(), scalar, { maxKeys: 60 }),
        timestamp: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        type: fc.constantFrom('gauge', 'count', 'counter'),
        min: fc.double({ noNaN: true, noDefaultInfinity: true }),
        max: fc.double({ noNaN: true, noDefaultInfinity: true }),
        sum: fc.double({ noNaN: true, noDefaultInfinity: true }),
        count: fc.nat(),
      },
      { requiredKeys: ['metric'] },
    );
    fc.assert(
      fc.property(fc.oneof(point, fc.array(point, { maxLength: 2 }), fc.jsonValue()), (json) => {
        const line = jsonToLine(json);
        if (line !== null) assert.deepEqual(lintErrors(line), [], line);
      }),
      { numRuns: 2000 },
    );
  });
});
