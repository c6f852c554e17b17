/**
 * The converters' fixtures: an input file `test/fixtures/convert/<format>/<case>.<ext>` and beside it
 * `<case>.expected`, what the converter makes of it — its lines (each with the input line it came from), the naming
 * preview, the notes and the tally — in one readable text (`UPDATE_FIXTURES=1` writes it from the code). Every
 * conversion is also held to the converters' promises: every item accounted for, every line without a lint error.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import type {
  ConversionNote,
  ConversionSink,
  ConversionTally,
  LineConverter,
  NamingPreview,
} from '#core/convert/model.ts';
import { splitLines } from '#core/text.ts';
import { BLESS, expectFixture, lintErrors } from './fixture-format.ts';

export interface Conversion {
  lines: { text: string; from: number }[];
  notes: ConversionNote[];
  naming: NamingPreview[];
  tally: ConversionTally;
}

/** A sink that keeps everything, and the conversion it fills. */
export function collectingSink(): { sink: ConversionSink; conversion: Omit<Conversion, 'tally'> } {
  const conversion: Omit<Conversion, 'tally'> = { lines: [], notes: [], naming: [] };
  const sink: ConversionSink = {
    line: (text, from) => conversion.lines.push({ text, from }),
    note: (note) => conversion.notes.push(note),
    naming: (naming) => conversion.naming.push(naming),
  };
  return { sink, conversion };
}

/** `text` fed line by line (the editor's line ends) to the converter `make` builds. */
export function convertText(make: (sink: ConversionSink) => LineConverter, text: string): Conversion {
  const { sink, conversion } = collectingSink();
  const converter = make(sink);
  let n = 0;
  for (const line of splitLines(text)) converter.line(line, ++n);
  converter.end();
  return { ...conversion, tally: { ...converter.tally } };
}

/** The converters' promises: every item converted or reported as skipped, and no line a tenant refuses. */
export function assertAccounted(conversion: Conversion, what: string): void {
  const { items, converted, skipped } = conversion.tally;
  assert.equal(items, converted + skipped, `${what}: ${items} items = ${converted} converted + ${skipped} skipped`);
  const reported = conversion.notes.filter((n) => n.kind === 'skipped').reduce((sum, n) => sum + n.count, 0);
  assert.equal(reported, skipped, `${what}: skipped notes count ${reported} items, the tally ${skipped}`);
  for (const { text } of conversion.lines) assert.deepEqual(lintErrors(text), [], `${what}: ${text} lints clean`);
}

/** A conversion as the `.expected` file holds it. */
export function conversionText(conversion: Conversion): string {
  const out: string[] = ['== lines (input line: metric line)'];
  for (const { text, from } of conversion.lines) out.push(`${from}: ${text}`);
  out.push('== naming (key, type → stored key; other ingest paths ← input name)');
  for (const n of conversion.naming) {
    const paths = Object.entries(n.paths).map(([path, key]) => `; ${path}: ${key}`);
    out.push(`${n.key} ${n.type} → ${n.stored}${paths.join('')} ← ${n.source}`);
  }
  out.push('== notes (input line: kind ×items `item`: message)');
  for (const n of conversion.notes) out.push(`${n.line}: ${n.kind} ×${n.count} \`${n.item}\`: ${n.message}`);
  const { items, converted, skipped } = conversion.tally;
  out.push(`== tally: ${items} items, ${converted} converted, ${skipped} skipped`, '');
  return out.join('\n');
}

/** One test per input file of `dir` with extension `ext`: its conversion is the `.expected` beside it, and accounted for. */
export function fixtureTests(dir: string, ext: string, make: (sink: ConversionSink) => LineConverter): void {
  const inputs = readdirSync(dir)
    .filter((file) => file.endsWith(ext))
    .sort();
  assert.ok(inputs.length > 0, `fixtures in ${dir}`);
  for (const file of inputs) {
    it(file, () => {
      const conversion = convertText(make, readFileSync(join(dir, file), 'utf8'));
      assertAccounted(conversion, file);
      const expected = join(dir, file.slice(0, -ext.length) + '.expected');
      if (!existsSync(expected)) {
        assert.ok(BLESS, `${expected} is missing: run with UPDATE_FIXTURES=1 to write it`);
        writeFileSync(expected, '');
      }
      expectFixture(expected, () => conversionText(conversion));
    });
  }
}
