/**
 * The Prometheus/OpenMetrics converter (core/convert/prometheus.ts). Fixtures: each `test/fixtures/convert/prometheus/
 * <case>.prom` (Prometheus text) or `.om` (OpenMetrics) is converted through the converters' harness
 * (convert-fixtures.ts) and compared with `<case>.expected` (`UPDATE_FIXTURES=1` writes it from the code). A case's
 * comment lines may say `# fixture-previous: FILE` (the previous scrape, beside it) and `# fixture-options: {json}`
 * (more options): to the converter they are comments. Every line made lints without an error, and every sample is
 * accounted for. Property tests: on any text the converter never throws and accounts for every item; on generated
 * expositions of every type, the items are the samples written and every line lints clean.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { createPrometheusConverter, readPreviousScrape, type PrometheusOptions } from '#core/convert/prometheus.ts';
import { ROOT } from '../cli/helpers.ts';
import { assertAccounted, convertText, fixtureTests, type FixtureInput } from './convert-fixtures.ts';

const DIR = join(ROOT, 'test', 'fixtures', 'convert', 'prometheus');

const convert = (text: string, options: PrometheusOptions) =>
  convertText((sink) => createPrometheusConverter(sink, options), text);

function fixtureOptions({ file, text }: FixtureInput): PrometheusOptions {
  const openMetrics = file.endsWith('.om');
  const previousFile = /^# fixture-previous: (\S+)$/m.exec(text)?.[1];
  const more = /^# fixture-options: (.+)$/m.exec(text)?.[1];
  const previous = previousFile
    ? readPreviousScrape(readFileSync(join(DIR, previousFile), 'utf8').split('\n'), openMetrics)
    : null;
  return { openMetrics, previous, ...(more ? (JSON.parse(more) as object) : {}) };
}

describe('Prometheus and OpenMetrics fixtures', () => {
  for (const ext of ['.prom', '.om'])
    fixtureTests(DIR, ext, (sink, input) => createPrometheusConverter(sink, fixtureOptions(input)));
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
        assertAccounted(convert(text, { openMetrics, previous, histogramBuckets: withPrevious }), text);
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
            assertAccounted(converted, now.text);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('a `_sum` against the previous scrape', () => {
  const TOTAL = fc.integer({ min: -50, max: 50 });
  const series = fc.record({ sumBefore: TOTAL, countBefore: fc.nat(50), sum: TOTAL, count: fc.nat(50) });

  it('is sent as its increase, or as its current value only when its `_count` went down (a restart)', () => {
    fc.assert(
      fc.property(
        fc.array(series, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('histogram', 'summary'),
        fc.boolean(),
        (all, type, countFirst) => {
          const scrape = (sum: (s: (typeof all)[0]) => number, count: (s: (typeof all)[0]) => number) =>
            [
              `# TYPE d ${type}`,
              ...all.flatMap((s, i) => {
                const parts = [`d_sum{i="${i}"} ${sum(s)}`, `d_count{i="${i}"} ${count(s)}`];
                return countFirst ? parts.reverse() : parts;
              }),
            ].join('\n');
          const before = scrape(
            (s) => s.sumBefore,
            (s) => s.countBefore,
          );
          const now = scrape(
            (s) => s.sum,
            (s) => s.count,
          );
          const previous = readPreviousScrape(before.split('\n'), false);
          const converted = convert(now, { openMetrics: false, previous });
          assertAccounted(converted, now);
          const sent = new Map(
            converted.lines
              .map(({ text }) => /^d_sum,i=(\d+) count,delta=(\S+)$/.exec(text))
              .filter((m) => m !== null)
              .map((m) => [Number(m[1]), Number(m[2])]),
          );
          all.forEach((s, i) => {
            // A restart (its count went down) sends the sum's current value, whatever the sum did; else its rise.
            const expected = s.count < s.countBefore ? s.sum : s.sum >= s.sumBefore ? s.sum - s.sumBefore : undefined;
            assert.equal(sent.get(i), expected, `series ${i}: ${JSON.stringify(s)}`);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
