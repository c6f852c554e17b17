/**
 * One line reports at most five findings of one kind, however often its parts repeat (properties, dimensions,
 * summary fields, separators), and the fifth says how many more there were: a line of 200,000 properties with the
 * same mistake is one mistake, not 400,000 diagnostics. Checked through both ways the core lints: a whole text
 * (the CLI, the tenant) and an editor's document (the language server).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentLinter } from '#core/document-linter.ts';
import { lintText } from '#core/lint.ts';
import type { Diagnostic } from '#core/problems.ts';

const N = 200_000;
const PER_KIND = 5;
const list = (separator: string, make: (i: number) => string): string =>
  Array.from({ length: N }, (_, i) => make(i)).join(separator);

interface Case {
  name: string;
  line: string;
  /** How many findings of each repeated code the line has in all; each shows at most five. */
  found: Record<string, number>;
}

const CASES: Case[] = [
  {
    name: 'a metadata line of 200,000 unknown properties, each with a stray `=`',
    line: `#cpu.temp gauge ${list(',', (i) => `p${i}=a=b`)}`,
    found: { MD002: N, DV002: N },
  },
  {
    name: 'a metadata line of 200,000 malformed units',
    line: `#cpu.temp gauge ${list(',', () => 'dt.meta.unit=a.b')}`,
    found: { MD003: N },
  },
  {
    name: '200,000 dimensions, each with a stray `=`',
    line: `cpu.temp,${list(',', (i) => `d${i}=a=b`)} gauge,1`,
    found: { DV002: N },
  },
  // Dimensions past twice the limit of 50 get DK005 only (check.ts): the first 100 are checked.
  {
    name: '200,000 upper-case dimension keys',
    line: `cpu.temp,${list(',', (i) => `D${i}=x`)} gauge,1`,
    found: { DK001: 100 },
  },
  {
    name: '200,000 repeats of one dimension',
    line: `cpu.temp,${list(',', () => 'host=a')} gauge,1`,
    found: { DK004: 99 },
  },
  {
    name: '200,000 empty dimension values',
    line: `cpu.temp,${list(',', (i) => `d${i}=""`)} gauge,1`,
    found: { DV004: 100 },
  },
  // A payload caps its own findings (one mistake), as the parser caps pairs without a value.
  {
    name: '200,000 unknown summary fields',
    line: `cpu.temp gauge,min=1,max=1,sum=1,count=1,${list(',', (i) => `x${i}=1`)}`,
    found: { PL003: PER_KIND },
  },
  {
    name: '200,000 dimensions without a value',
    line: `cpu.temp,${list(',', (i) => `d${i}`)} gauge,1`,
    found: { DK008: PER_KIND },
  },
  {
    name: '200,000 words after the payload, two spaces apart',
    line: `cpu.temp gauge,1 ${list('  ', () => 'x')}`,
    found: { LN004: N - 1 },
  },
];

function assertBounded(diagnostics: readonly Diagnostic[], found: Record<string, number>): void {
  const byCode = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const shown = byCode.get(d.code) ?? [];
    shown.push(d);
    byCode.set(d.code, shown);
  }
  for (const [code, shown] of byCode)
    assert.ok(shown.length <= PER_KIND, `${code}: ${shown.length.toLocaleString('en-US')} findings on one line`);
  for (const [code, total] of Object.entries(found)) {
    const shown = (byCode.get(code) ?? []).sort((a, b) => a.startChar - b.startChar);
    assert.equal(shown.length, Math.min(total, PER_KIND), code);
    const notes = shown.filter((d) => d.message.includes('more like it'));
    if (total <= PER_KIND) assert.deepEqual(notes, [], `${code}: a note where nothing was left out`);
    else {
      assert.deepEqual(notes, [shown[PER_KIND - 1]], `${code}: the fifth finding carries the note`);
      assert.match(
        notes[0]?.message ?? '',
        new RegExp(`… and ${(total - PER_KIND).toLocaleString('en-US')} more like it on this line`),
      );
    }
  }
}

describe('at most five findings of one kind per line, the fifth saying how many more', () => {
  for (const c of CASES) {
    it(c.name, () => {
      assertBounded(lintText(c.line, { now: null }), c.found);
      assertBounded(new DocumentLinter({}).lint(c.line, null).diagnostics, c.found);
    });
  }

  it('findings of one kind spread over a line are shown in column order, so the first ones are never hidden', () => {
    const line = `#cpu.temp gauge ${list(',', (i) => `p${i}=x`)}`;
    const shown = lintText(line, { now: null }).filter((d) => d.code === 'MD002');
    assert.deepEqual(
      shown.map((d) => line.slice(d.startChar, d.endChar)),
      ['p0', 'p1', 'p2', 'p3', 'p4'],
    );
  });
});
