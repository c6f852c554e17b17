/**
 * The StatsD / DogStatsD converter (core/convert/statsd.ts): each test/fixtures/convert/statsd/<case>.statsd fed
 * line by line and ended, with what the sink was handed written to <case>.expected (`UPDATE_FIXTURES=1` rewrites
 * it); intervals (`flush`) one by one; and on arbitrary text and on arbitrary well-formed datagrams the converter
 * never throws, accounts for every datagram, and writes only lines the linter finds no error in.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { ConversionNote, ConversionSink, NamingPreview } from '#core/convert/model.ts';
import { createStatsdConverter, type StatsdConverter } from '#core/convert/statsd.ts';
import { ROOT } from '../cli/helpers.ts';
import { expectFixture, lintErrors } from './fixture-format.ts';

const DIR = join(ROOT, 'test', 'fixtures', 'convert', 'statsd');
const FLUSH = '--- flush';

type Event =
  | { kind: 'line'; text: string; from: number }
  | { kind: 'note'; note: ConversionNote }
  | { kind: 'naming'; naming: NamingPreview };

function collecting(): { sink: ConversionSink; events: Event[] } {
  const events: Event[] = [];
  return {
    events,
    sink: {
      line: (text, from) => events.push({ kind: 'line', text, from }),
      note: (note) => events.push({ kind: 'note', note }),
      naming: (naming) => events.push({ kind: 'naming', naming }),
    },
  };
}

/** What the sink was handed, one event a line, in order; then the tally. */
function render(events: readonly Event[], converter: StatsdConverter): string {
  const rows = events.map((e) => {
    if (e.kind === 'line') return `line    ${e.from}: ${e.text}`;
    if (e.kind === 'note') {
      const n = e.note;
      return `${n.kind.padEnd(7)} ${n.line}: ${n.item} ×${n.count}: ${n.message}`;
    }
    const n = e.naming;
    const paths = Object.entries(n.paths).map(([path, key]) => `; ${path}: ${key}`);
    return `naming  ${n.source} → ${n.key} (${n.type}), stored ${n.stored}${paths.join('')}`;
  });
  const { items, converted, skipped } = converter.tally;
  return [...rows, `tally   items ${items}, converted ${converted}, skipped ${skipped}`, ''].join('\n');
}

/** Feeds `text` line by line; a line `--- flush` flushes the interval (stamped with the next of `stamps`). */
function convert(text: string, stamps: (number | null)[] = []): { events: Event[]; converter: StatsdConverter } {
  const { sink, events } = collecting();
  const converter = createStatsdConverter(sink);
  let flushes = 0;
  text.split('\n').forEach((line, i) => {
    if (line === FLUSH) converter.flush(stamps[flushes++] ?? null);
    else converter.line(line, i + 1);
  });
  converter.end();
  return { events, converter };
}

const linesOf = (events: readonly Event[]) => events.flatMap((e) => (e.kind === 'line' ? [e.text] : []));
const notesOf = (events: readonly Event[]) => events.flatMap((e) => (e.kind === 'note' ? [e.note] : []));

function assertAccounted(converter: StatsdConverter, events: readonly Event[]): void {
  const { items, converted, skipped } = converter.tally;
  assert.equal(items, converted + skipped, 'every item converted or skipped');
  const noted = notesOf(events)
    .filter((n) => n.kind === 'skipped')
    .reduce((sum, n) => sum + n.count, 0);
  assert.equal(noted, skipped, 'the skipped notes count the skipped items');
}

describe('StatsD converter: fixtures', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.statsd'))) {
    it(file, () => {
      const { events, converter } = convert(readFileSync(join(DIR, file), 'utf8').replace(/\n$/, ''));
      expectFixture(join(DIR, file.replace(/\.statsd$/, '.expected')), () => render(events, converter));
      assertAccounted(converter, events);
      assert.deepEqual(lintErrors(linesOf(events).join('\n')), []);
      const keys = events.flatMap((e) => (e.kind === 'naming' ? [e.naming.key] : []));
      assert.equal(new Set(keys).size, keys.length, 'one naming preview per key');
    });
  }
});

describe('StatsD converter: intervals', () => {
  it('writes each interval apart, stamped with the flush time, and carries gauges over', () => {
    const { events, converter } = convert(
      [
        'hits:1|c',
        'level:10|g',
        'seen:a|s',
        'seen:b|s',
        FLUSH,
        'hits:2|c',
        'level:-4|g',
        'seen:a|s',
        'late:1|c|T1732300000',
      ].join('\n'),
      [1732300060000],
    );
    assert.deepEqual(linesOf(events), [
      'hits count,delta=1 1732300060000',
      'level gauge,10 1732300060000',
      'seen gauge,2 1732300060000',
      'hits count,delta=2',
      'level gauge,6',
      'seen gauge,1',
      'late count,delta=1 1732300000000',
    ]);
    assert.equal(events.filter((e) => e.kind === 'naming').length, 4, 'named once, in the interval of its first line');
    assertAccounted(converter, events);
  });

  it('reports a once-per-metric note in its first interval only, and skips every interval', () => {
    const { events } = convert(['hit rate:1|c', 'hit rate:1|c', 'bad', FLUSH, 'hit rate:1|c', 'bad'].join('\n'));
    assert.deepEqual(
      notesOf(events).map((n) => `${n.kind} ${n.item} ×${n.count}`),
      ['renamed hit rate ×2', 'skipped bad ×1', 'skipped bad ×1'],
    );
  });

  it('a flush with nothing received writes nothing', () => {
    const { events } = convert([FLUSH, FLUSH, ''].join('\n'), [1, 2]);
    assert.deepEqual(events, []);
  });
});

describe('StatsD converter: properties', () => {
  const name = fc.constantFrom('page.views', 'Queue Size', 'x', 'dt.cpu', 'lat-ms', 'été.count');
  const number = fc.oneof(
    fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.constantFrom('+3', '-2', '0', '1e308', '-1e308', '.5'),
  );
  const tag = fc.tuple(fc.constantFrom('env', 'Env', 'region', 'a b', '9x', ''), fc.option(fc.string(), { nil: null }));
  const datagram = fc
    .record({
      name,
      type: fc.constantFrom('c', 'g', 'ms', 'h', 'd', 's'),
      values: fc.array(number, { minLength: 1, maxLength: 3 }),
      member: fc.string({ minLength: 1 }).filter((s) => !/[|\n\r]/.test(s) && s.trim() === s),
      rate: fc.option(fc.constantFrom('0.1', '0.5', '1', '0.333'), { nil: null }),
      tags: fc.option(fc.array(tag, { maxLength: 4 }), { nil: null }),
      timestamp: fc.option(fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }), { nil: null }),
    })
    .map(({ name, type, values, member, rate, tags, timestamp }) => {
      const escapedTags = tags?.map(([k, v]) => (v === null ? k : `${k}:${v.replace(/[|,\n\r]/g, '_')}`));
      return (
        `${name}:${type === 's' ? member : values.join(':')}|${type}` +
        (rate === null ? '' : `|@${rate}`) +
        (escapedTags ? `|#${escapedTags.join(',')}` : '') +
        (timestamp === null ? '' : `|T${timestamp}`)
      );
    });

  it('on any text: never throws, accounts for every line, writes only lines that lint clean', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 20 }), (lines) => {
        const { events, converter } = convert(lines.map((l) => l.replace(/\n/g, ' ')).join('\n'));
        assertAccounted(converter, events);
        assert.deepEqual(lintErrors(linesOf(events).join('\n')), []);
      }),
    );
  });

  it('on well-formed datagrams: one item each, every one accounted for, lines that lint clean', () => {
    fc.assert(
      fc.property(fc.array(datagram, { minLength: 1, maxLength: 30 }), fc.boolean(), (datagrams, split) => {
        const half = Math.floor(datagrams.length / 2);
        const text = split
          ? [...datagrams.slice(0, half), FLUSH, ...datagrams.slice(half)].join('\n')
          : datagrams.join('\n');
        const { events, converter } = convert(text, [1732300000000]);
        assert.equal(converter.tally.items, datagrams.length);
        assertAccounted(converter, events);
        assert.deepEqual(lintErrors(linesOf(events).join('\n')), []);
      }),
    );
  });
});
