/**
 * The converters' test harness, one for all four formats. A fixture is an input file
 * `test/fixtures/convert/<format>/<case>.<ext>` and beside it `<case>.expected`, what the converter makes of it — its
 * lines (each with the input line it came from and any lint warning of it), the naming preview, the notes and the
 * tally — in one readable text (`UPDATE_FIXTURES=1` writes it from the code). Every conversion, of a fixture or of a
 * property test's input, is held to the converters' promises by `assertAccounted`.
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
import { lintText } from '#core/lint.ts';
import { splitLines } from '#core/text.ts';
import { BLESS, expectFixture, lintErrors } from './fixture-format.ts';

/** Everything a converter handed its sink, each kind in the order it came, and its tally at the end. */
export interface Conversion {
  lines: { text: string; from: number }[];
  notes: ConversionNote[];
  naming: NamingPreview[];
  tally: ConversionTally;
}

/** What `convert` hands the sink it is given, kept; `convert` returns the tally (one call or a whole input). */
export function collect(convert: (sink: ConversionSink) => ConversionTally): Conversion {
  const lines: Conversion['lines'] = [];
  const notes: ConversionNote[] = [];
  const naming: NamingPreview[] = [];
  const tally = convert({
    line: (text, from) => lines.push({ text, from }),
    note: (note) => notes.push(note),
    naming: (preview) => naming.push(preview),
  });
  return { lines, notes, naming, tally: { ...tally } };
}

/**
 * A line of a test's input that is meant for the harness, not the converter (StatsD's `--- flush`): it acts on the
 * converter and returns true. It still counts as an input line, so line numbers stay those of the file.
 */
export type Directive<C extends LineConverter> = (line: string, converter: C) => boolean;

/** `text` fed line by line (the editor's line ends, as `dtmetrics convert` reads) to the converter `make` builds. */
export function convertText<C extends LineConverter>(
  make: (sink: ConversionSink) => C,
  text: string,
  directive?: Directive<C>,
): Conversion {
  return collect((sink) => {
    const converter = make(sink);
    let n = 0;
    for (const line of splitLines(text)) {
      n++;
      if (!directive?.(line, converter)) converter.line(line, n);
    }
    converter.end();
    return converter.tally;
  });
}

/**
 * The converters' promises: every item converted or reported as skipped (the skipped notes' counts add up to the
 * tally's), and no line a tenant refuses.
 */
export function assertAccounted(conversion: Conversion, what: string): void {
  const { items, converted, skipped } = conversion.tally;
  assert.equal(items, converted + skipped, `${what}: ${items} items = ${converted} converted + ${skipped} skipped`);
  const reported = conversion.notes.filter((n) => n.kind === 'skipped').reduce((sum, n) => sum + n.count, 0);
  assert.equal(reported, skipped, `${what}: skipped notes count ${reported} items, the tally ${skipped}`);
  // Linted as one text, as a push of them is: a key used with two types is an error only across lines.
  const lines = conversion.lines.map((l) => l.text).join('\n');
  assert.deepEqual(lintErrors(lines), [], `${what}: the lines lint clean:\n${lines}`);
}

/** A conversion as the `.expected` file holds it. */
export function conversionText(conversion: Conversion): string {
  const out: string[] = ['== lines (input line: metric line, then its lint warnings)'];
  for (const { text, from } of conversion.lines) {
    out.push(`${from}: ${text}`);
    // Errors cannot be (assertAccounted); warnings are what `dtmetrics convert` reports as findings.
    for (const d of lintText(text, { now: null }))
      if (d.severity === 'error' || d.severity === 'warning') out.push(`    ${d.severity} ${d.code}: ${d.message}`);
  }
  out.push('== naming (input name → key (type), stored key; other ingest paths: their stored key)');
  for (const n of conversion.naming) {
    const paths = Object.entries(n.paths).map(([path, key]) => `; ${path}: ${key}`);
    out.push(`${n.source} → ${n.key} (${n.type}), stored ${n.stored}${paths.join('')}`);
  }
  out.push('== notes (input line: kind ×items `item`: message)');
  for (const n of conversion.notes) out.push(`${n.line}: ${n.kind} ×${n.count} \`${n.item}\`: ${n.message}`);
  const { items, converted, skipped } = conversion.tally;
  out.push(`== tally: ${items} items, ${converted} converted, ${skipped} skipped`, '');
  return out.join('\n');
}

export interface FixtureInput {
  /** The input's file name in its directory. */
  file: string;
  text: string;
}

/** The input files of `dir` with extension `ext`, by name; `<case>.previous<ext>` (Prometheus's scrape before) is none. */
export function fixtureInputs(dir: string, ext: string): FixtureInput[] {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith(ext) && !file.endsWith(`.previous${ext}`))
    .sort();
  assert.ok(files.length > 0, `fixtures *${ext} in ${dir}`);
  return files.map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
}

/**
 * One test per input file of `dir` with extension `ext`: converted by the converter `make` builds for it (a case may
 * carry its options), it is accounted for, names each metric once, and its conversion is the `.expected` beside it.
 */
export function fixtureTests<C extends LineConverter>(
  dir: string,
  ext: string,
  make: (sink: ConversionSink, input: FixtureInput) => C,
  directive?: Directive<C>,
): void {
  for (const input of fixtureInputs(dir, ext)) {
    it(input.file, () => {
      const conversion = convertText((sink) => make(sink, input), input.text, directive);
      assertAccounted(conversion, input.file);
      const keys = conversion.naming.map((n) => n.key);
      assert.equal(new Set(keys).size, keys.length, `${input.file}: one naming preview per key: ${keys.join(', ')}`);
      const expected = join(dir, input.file.slice(0, -ext.length) + '.expected');
      if (!existsSync(expected)) {
        assert.ok(BLESS, `${expected} is missing: run with UPDATE_FIXTURES=1 to write it`);
        writeFileSync(expected, '');
      }
      expectFixture(expected, () => conversionText(conversion));
    });
  }
}
