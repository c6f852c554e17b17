/**
 * The StatsD / DogStatsD converter (core/convert/statsd.ts), through the converters' harness (convert-fixtures.ts):
 * each test/fixtures/convert/statsd/<case>.statsd fed line by line and ended, its conversion in <case>.expected
 * (`UPDATE_FIXTURES=1` rewrites it); intervals (a `--- flush` line) one by one; and on arbitrary text and on
 * arbitrary well-formed datagrams the converter never throws, accounts for every datagram, and writes only lines
 * the linter finds no error in.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { createStatsdConverter, type StatsdConverter } from '#core/convert/statsd.ts';
import { ROOT } from '../cli/helpers.ts';
import { assertAccounted, convertText, fixtureTests, type Directive } from './convert-fixtures.ts';

const DIR = join(ROOT, 'test', 'fixtures', 'convert', 'statsd');

/** A line `--- flush` (or `--- flush <ms>`, the flush time) in a test's input ends the interval there. */
const FLUSH = /^--- flush(?: (\d+))?$/;
const flushes: Directive<StatsdConverter> = (line, converter) => {
  const flush = FLUSH.exec(line);
  if (flush) converter.flush(flush[1] === undefined ? null : Number(flush[1]));
  return flush !== null;
};

const convert = (text: string, remembered?: number) =>
  convertText((sink) => createStatsdConverter(sink, remembered), text, flushes);

describe('StatsD converter: fixtures', () => {
  fixtureTests(DIR, '.statsd', (sink) => createStatsdConverter(sink), flushes);
});

describe('StatsD converter: intervals', () => {
  it('writes each interval apart, stamped with the flush time, and carries gauges over', () => {
    const text = [
      'hits:1|c',
      'level:10|g',
      'seen:a|s',
      'seen:b|s',
      '--- flush 1732300060000',
      'hits:2|c',
      'level:-4|g',
      'seen:a|s',
      'late:1|c|T1732300000',
    ].join('\n');
    const conversion = convert(text);
    assert.deepEqual(
      conversion.lines.map((l) => l.text),
      [
        'hits count,delta=1 1732300060000',
        'level gauge,10 1732300060000',
        'seen gauge,2 1732300060000',
        'hits count,delta=2',
        'level gauge,6',
        'seen gauge,1',
        'late count,delta=1 1732300000000',
      ],
    );
    assert.equal(conversion.naming.length, 4, 'named once, in the interval of its first line');
    assertAccounted(conversion, text);
  });

  it('reports a once-per-metric note in its first interval only, and skips every interval', () => {
    const { notes } = convert(['hit rate:1|c', 'hit rate:1|c', 'bad', '--- flush', 'hit rate:1|c', 'bad'].join('\n'));
    assert.deepEqual(
      notes.map((n) => `${n.kind} ${n.item} ×${n.count}`),
      ['renamed hit rate ×2', 'skipped bad ×1', 'skipped bad ×1'],
    );
  });

  it('remembers keys across intervals up to a bound: a key forgotten is met as new', () => {
    const text = ['a.x:1|c', '--- flush 1', 'b.x:1|c', 'c.x:1|c', '--- flush 2', 'a.x:5|g', '--- flush 3'].join('\n');
    // Remembering three keys, `a.x` is still a counter; remembering two, it was forgotten and may be a gauge now.
    assert.deepEqual(
      convert(text, 3).notes.map((n) => n.kind),
      ['skipped'],
    );
    assert.deepEqual(convert(text, 2).lines.at(-1)?.text, 'a.x gauge,5 3');
  });

  it('a key forgotten within an interval keeps the type of its series there: no gauge added into a counter', () => {
    const { lines, notes } = convert(['a.x:1|c', 'b.x:1|c', 'c.x:1|c', 'a.x:5|g', '--- flush 1'].join('\n'), 2);
    assert.deepEqual(
      lines.map((line) => line.text),
      ['a.x count,delta=1 1', 'b.x count,delta=1 1', 'c.x count,delta=1 1'],
    );
    assert.deepEqual(
      notes.map((n) => `${n.kind} ${n.item}`),
      ['skipped a.x'],
    );
  });

  it('a flush with nothing received writes nothing', () => {
    const conversion = convert(['--- flush 1', '--- flush 2', ''].join('\n'));
    assert.deepEqual(conversion, { lines: [], notes: [], naming: [], tally: { items: 0, converted: 0, skipped: 0 } });
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
        const text = lines.map((l) => l.replace(/\n/g, ' ')).join('\n');
        assertAccounted(convert(text), text);
      }),
    );
  });

  it('on well-formed datagrams: one item each, every one accounted for, lines that lint clean', () => {
    fc.assert(
      fc.property(fc.array(datagram, { minLength: 1, maxLength: 30 }), fc.boolean(), (datagrams, split) => {
        const half = Math.floor(datagrams.length / 2);
        const text = split
          ? [...datagrams.slice(0, half), '--- flush 1732300000000', ...datagrams.slice(half)].join('\n')
          : datagrams.join('\n');
        const conversion = convert(text);
        assert.equal(conversion.tally.items, datagrams.length);
        assertAccounted(conversion, text);
      }),
    );
  });
});
