/**
 * The Prometheus/OpenMetrics converter (core/convert/prometheus.ts). Fixtures: each `test/fixtures/convert/prometheus/
 * <case>.prom` (Prometheus text) or `.om` (OpenMetrics) is converted and what the sink receives, in order, is compared
 * with `<case>.expected` (`UPDATE_FIXTURES=1` writes it from the code). A case's comment lines may say
 * `# fixture-previous: FILE` (the previous scrape, beside it) and `# fixture-options: {json}` (more options): to the
 * converter they are comments. Every line made lints without an error, and every sample is accounted for. Property
 * tests: on any text the converter never throws and accounts for every item; on generated expositions of every
 * type, the items are the samples written and every line lints clean.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { ConversionSink } from '#core/convert/model.ts';
import { createPrometheusConverter, readPreviousScrape, type PrometheusOptions } from '#core/convert/prometheus.ts';
import { ROOT } from '../cli/helpers.ts';
import { expectFixture, lintErrors } from './fixture-format.ts';

const DIR = join(ROOT, 'test', 'fixtures', 'convert', 'prometheus');

interface Converted {
  /** The sink's calls in order, one text line each. */
  events: string[];
  lines: string[];
  tally: { items: number; converted: number; skipped: number };
}

/** Feeds `text` line by line to a converter with a sink that records every call. */
function convert(text: string, options: PrometheusOptions): Converted {
  const events: string[] = [];
  const lines: string[] = [];
  const sink: ConversionSink = {
    line: (line, from) => {
      lines.push(line);
      events.push(`line ${from}: ${line}`);
    },
    note: (n) => events.push(`${n.kind} line ${n.line} \`${n.item}\` ×${n.count}: ${n.message}`),
    naming: (n) => {
      const paths = Object.entries(n.paths).map(([path, key]) => `${path}: ${key}`);
      events.push(
        `naming ${n.source} → ${n.key} (${n.type}), stored ${n.stored}${paths.length ? ` | ${paths.join('; ')}` : ''}`,
      );
    },
  };
  const converter = createPrometheusConverter(sink, options);
  text.split('\n').forEach((line, i) => converter.line(line, i + 1));
  converter.end();
  return { events, lines, tally: { ...converter.tally } };
}

function fixtureOptions(name: string, text: string): PrometheusOptions {
  const openMetrics = name.endsWith('.om');
  const previousFile = /^# fixture-previous: (\S+)$/m.exec(text)?.[1];
  const more = /^# fixture-options: (.+)$/m.exec(text)?.[1];
  const previous = previousFile
    ? readPreviousScrape(readFileSync(join(DIR, previousFile), 'utf8').split('\n'), openMetrics)
    : null;
  return { openMetrics, previous, ...(more ? (JSON.parse(more) as object) : {}) };
}

const assertAccounted = ({ tally }: Converted) =>
  assert.equal(
    tally.items,
    tally.converted + tally.skipped,
    `every item converted or skipped: ${JSON.stringify(tally)}`,
  );

const assertLintClean = ({ lines }: Converted) => {
  for (const line of lines) assert.deepEqual(lintErrors(line), [], line);
};

describe('Prometheus and OpenMetrics fixtures', () => {
  const cases = readdirSync(DIR).filter((f) => /\.(prom|om)$/.test(f) && !/\.previous\./.test(f));
  for (const name of cases) {
    it(name, () => {
      const input = join(DIR, name);
      const text = readFileSync(input, 'utf8');
      const converted = convert(text, fixtureOptions(name, text));
      assertAccounted(converted);
      assertLintClean(converted);
      const { items, converted: done, skipped } = converted.tally;
      const expected = [...converted.events, `tally: ${items} items, ${done} converted, ${skipped} skipped`, ''];
      expectFixture(input.replace(/\.(prom|om)$/, '.expected'), () => expected.join('\n'));
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

const NAME = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,12}$/);
const LABEL = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/);
const LABEL_VALUE = fc.string({
  maxLength: 12,
  unit: fc.constantFrom('a', 'Z', ' ', '"', '\\', '\n', ',', '=', 'é', '😀', '#', '{'),
});
const VALUE = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.nat().map(String),
  fc.constantFrom('NaN', '+Inf', '-Inf', '1.5e+06', '0.25'),
);

const escape = (v: string) => v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
const labelText = (labels: [string, string][]) =>
  labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}`;

type GeneratedType = 'counter' | 'gauge' | 'untyped' | 'histogram' | 'summary' | 'info' | 'stateset';

/** Families of any type, written as an exposition: their text, and how many samples it holds. */
const exposition = (openMetrics: boolean) =>
  fc
    .array(
      fc.record({
        name: NAME,
        type: fc.constantFrom<GeneratedType>('counter', 'gauge', 'untyped', 'histogram', 'summary', 'info', 'stateset'),
        series: fc.array(
          fc.record({
            labels: fc.uniqueArray(fc.tuple(LABEL, LABEL_VALUE), { maxLength: 4, selector: ([k]) => k }),
            value: VALUE,
            timestamp: fc.option(fc.nat({ max: 2_000_000_000 }), { nil: null }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      }),
      { maxLength: 6 },
    )
    .map((families) => {
      const out: string[] = [];
      let samples = 0;
      const used = new Set<string>();
      for (const f of families) {
        // Names are unique across families so that no family's samples read as another's.
        const name = `${f.name}_f${used.size}`;
        used.add(name);
        if (f.type !== 'untyped') out.push(`# TYPE ${name} ${f.type}`);
        for (const s of f.series) {
          const ts = s.timestamp === null ? '' : ` ${openMetrics ? s.timestamp / 1000 : s.timestamp}`;
          const labels = s.labels.filter(([k]) => k !== 'le' && k !== 'quantile');
          const write = (suffix: string, extra: [string, string][], value: string) => {
            out.push(`${name}${suffix}${labelText([...labels, ...extra])} ${value}${ts}`);
            samples++;
          };
          if (f.type === 'histogram') {
            write('_bucket', [['le', '0.5']], s.value);
            write('_bucket', [['le', '+Inf']], s.value);
            write('_sum', [], s.value);
            write('_count', [], s.value);
          } else if (f.type === 'summary') {
            write('', [['quantile', '0.9']], s.value);
            write('_sum', [], s.value);
            write('_count', [], s.value);
          } else if (f.type === 'counter') write(openMetrics ? '_total' : '', [], s.value);
          else if (f.type === 'info') write('_info', [], '1');
          else write('', [], s.value);
        }
      }
      if (openMetrics) out.push('# EOF');
      return { text: out.join('\n'), samples };
    });

describe('Prometheus converter properties', () => {
  it('on any text: never throws, and every item is converted or skipped', () => {
    const unit = fc.constantFrom(
      'a',
      'b',
      '_',
      ':',
      '{',
      '}',
      '"',
      '=',
      ',',
      ' ',
      '#',
      '\\',
      'n',
      '1',
      '.',
      'e',
      '+',
      '-',
    );
    const line = fc.oneof(
      fc.string(),
      fc.string({ unit }),
      fc.constantFrom('# TYPE a_b counter', '# TYPE x histogram', '# EOF', 'x_bucket{le="1"} 2', 'a_b 1 2'),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.boolean(), fc.boolean(), (lines, openMetrics, withPrevious) => {
        const text = lines.join('\n');
        const previous = withPrevious ? readPreviousScrape(lines, openMetrics) : null;
        const converted = convert(text, { openMetrics, previous, histogramBuckets: withPrevious });
        assertAccounted(converted);
        assertLintClean(converted);
      }),
      { numRuns: 300 },
    );
  });

  it('on generated expositions of every type: the items are the samples, every line lints clean', () => {
    fc.assert(
      fc.property(
        fc
          .boolean()
          .chain((openMetrics) => fc.tuple(fc.constant(openMetrics), exposition(openMetrics), exposition(openMetrics))),
        fc.boolean(),
        ([openMetrics, now, before], buckets) => {
          // The previous scrape: another exposition, and this one itself (every series then has a total before).
          for (const previousText of [before.text, now.text]) {
            const previous = readPreviousScrape(previousText.split('\n'), openMetrics);
            const converted = convert(now.text, { openMetrics, previous, histogramBuckets: buckets });
            assert.equal(converted.tally.items, now.samples, now.text);
            assertAccounted(converted);
            assertLintClean(converted);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
