/**
 * `dtmetrics convert` in this process: what it writes where (lines on stdout under a header comment, the report on
 * stderr, or one JSON document), what it says it read the input as, its exit codes, and each usage mistake as one
 * line with exit 2. The converters themselves are tested on their fixtures (test/core/convert-*.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VERSION } from '#cli/version.ts';
import { dtmetrics } from './in-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'dtmetrics-convert-'));
const file = (name: string, text: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const NOW = ['--now', '2024-11-22T18:26:40Z'];
const PROM = file('scrape.prom', '# TYPE jobs_total counter\njobs_total{queue="mail"} 10\n');
const SEED = file(
  'seed.json',
  '{"metric": "shop.checkout.duration", "value": 42.5, "dimensions": {"region": "eu-west", "payment method": "card"}, "timestamp": 1732300000000}\n',
);

describe('dtmetrics convert', () => {
  it('writes the lines under a comment saying from what and when, and reports on stderr what it chose and changed', async () => {
    const run = await dtmetrics(['convert', ...NOW, SEED]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      `// Converted by dtmetrics ${VERSION} from ${SEED}, read as JSON (it starts with \`{\`), at 2024-11-22T18:26:40.000Z\n` +
        'shop.checkout.duration,region=eu-west,payment_method=card gauge,42.5 1732300000000\n',
    );
    assert.equal(
      run.stderr,
      `dtmetrics convert: reading ${SEED} as json (it starts with \`{\`)\n` +
        `${SEED}:1: \`shop.checkout.duration\`: dimension key \`payment method\` written as \`payment_method\`\n` +
        'dtmetrics convert: converted 1 of 1 data point into 1 line\n',
    );
  });

  it('reads standard input, and with --from it does not guess', async () => {
    const run = await dtmetrics(['convert', '--from', 'json', ...NOW, '-'], { stdin: '[{"metric":"a.b","value":1}]' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^\/\/ Converted by dtmetrics \S+ from standard input, read as JSON, at /);
    assert.match(run.stdout, /\na\.b gauge,1\n$/);
    assert.doesNotMatch(run.stderr, /reading/);
  });

  it('exits 1 when an item was not converted, saying which and why; the naming preview is a comment', async () => {
    const input = file(
      'mixed.jsonl',
      '{"metric":"jobs.done","value":2,"type":"count"}\n{"metric":"x.y","value":"hot"}\n',
    );
    const run = await dtmetrics(['convert', ...NOW, input]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /\n\/\/ jobs\.done \(count\), stored as `jobs\.done\.count`\njobs\.done count,delta=2\n$/);
    assert.match(run.stderr, /:2: `x\.y`: not converted: the value `"hot"` is no finite number\n/);
    assert.match(run.stderr, /converted 1 of 2 data points into 1 line; 1 not converted\n$/);
  });

  it('--format json: one document with the lines, the naming, the notes and the tally, nothing on stderr', async () => {
    const input = file('json-format.jsonl', '{"metric":"jobs.done","value":2,"type":"count"}\n7\n');
    const run = await dtmetrics(['convert', '--format', 'json', ...NOW, input]);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, '');
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.deepEqual(report.lines, ['jobs.done count,delta=2']);
    assert.deepEqual(report.tally, { items: 2, converted: 1, skipped: 1, lines: 1, refused: 0 });
    assert.equal(report.from, 'json');
    assert.equal(report.at, '2024-11-22T18:26:40.000Z');
    assert.deepEqual(report.naming, [
      { source: 'jobs.done', key: 'jobs.done', type: 'count', stored: 'jobs.done.count', paths: {} },
    ]);
    assert.deepEqual(report.notes, [
      {
        kind: 'info',
        line: 1,
        item: 'jobs.done',
        count: 1,
        message:
          'its value is sent as the increase since the last report (`count,delta=`): if the source reports a running total, send differences of it instead',
      },
      {
        kind: 'skipped',
        line: 2,
        item: '7',
        count: 1,
        message: 'not a data point (an object with a metric key and a value)',
      },
    ]);
  });

  it('lints every line it writes: one the tenant would refuse is written, reported, and exits 1', async () => {
    const input = file('old.json', '{"metric":"cpu.temp","value":1,"timestamp":1732300000000}\n');
    const run = await dtmetrics(['convert', '--now', '2024-11-23T18:26:40Z', input]);
    assert.match(run.stdout, /\ncpu\.temp gauge,1 1732300000000\n$/);
    assert.match(
      run.stderr,
      /:1: `cpu\.temp gauge,1 1732300000000`: error TS003: Timestamp 2024-11-22T18:26:40Z is 24 h old/,
    );
    assert.match(run.stderr, /into 1 line; 1 line a tenant would refuse\n$/);
    assert.equal(run.code, 1);
  });

  for (const [why, args, message] of [
    ['no input', ['convert'], "no input given: name a file, or '-' for standard input"],
    ['two inputs', ['convert', SEED, SEED], 'one input at a time, not 2'],
    [
      'an unknown format',
      ['convert', '--from', 'xml', SEED],
      "--from must be auto or one of prometheus, openmetrics, statsd, otlp, json, not 'xml'",
    ],
    [
      'an unknown output format',
      ['convert', '--format', 'yaml', SEED],
      "--format must be one of text, json, not 'yaml'",
    ],
    ['a missing file', ['convert', join(dir, 'missing.txt')], `cannot read '${join(dir, 'missing.txt')}'`],
    [
      'a missing previous scrape',
      ['convert', '--previous', join(dir, 'gone.txt'), PROM],
      `cannot read '${join(dir, 'gone.txt')}'`,
    ],
    [
      '--previous for JSON',
      ['convert', '--previous', SEED, SEED],
      '--previous is for Prometheus or OpenMetrics input, not json',
    ],
    [
      '--buckets for JSON',
      ['convert', '--buckets', SEED],
      '--buckets is for Prometheus or OpenMetrics input, not json',
    ],
    [
      'JSON as the previous scrape',
      ['convert', '--previous', SEED, PROM],
      `--previous '${SEED}' is not a Prometheus scrape (it reads as json)`,
    ],
    ['text as JSON', ['convert', '--from', 'json', PROM], `'${PROM}' is not JSON: it starts with \`#\``],
    [
      'gzip',
      ['convert', file('c.prom.gz', new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00]))],
      'is gzip-compressed: decompress it first',
    ],
    [
      'UTF-16',
      ['convert', file('u16.prom', new Uint8Array([0xff, 0xfe, 0x23, 0x00, 0x20, 0x00]))],
      'is UTF-16 (it starts with a byte order mark): save it as UTF-8',
    ],
    [
      '--resource-attributes for JSON',
      ['convert', '--resource-attributes', 'service.name', SEED],
      '--resource-attributes is for OTLP input, not json',
    ],
    [
      'a gzip-compressed scrape before',
      ['convert', '--previous', file('before.prom.gz', new Uint8Array([0x1f, 0x8b, 0x08])), PROM],
      `--previous '${join(dir, 'before.prom.gz')}' is gzip-compressed: decompress it first (gunzip -c`,
    ],
    [
      'no resource attribute keys',
      ['convert', '--resource-attributes', ' , ', SEED],
      '--resource-attributes takes attribute keys',
    ],
    ['prose', ['convert', file('prose.txt', 'hello world\nthis is no metric\n')], 'cannot tell what format'],
    [
      'binary as JSON',
      ['convert', '--from', 'json', file('bin.dat', new Uint8Array([0x0a, 0x02, 0x00, 0x01]))],
      'is binary, not json text',
    ],
  ] as const) {
    it(`says one line and exits 2 for ${why}`, async () => {
      const run = await dtmetrics([...args]);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr.split('\n').length, 2, run.stderr);
      assert.ok(run.stderr.startsWith('dtmetrics: ') && run.stderr.includes(message), run.stderr);
      assert.equal(run.stdout, '');
    });
  }

  it('gzip on standard input: says where gunzip goes in the pipe', async () => {
    const run = await dtmetrics(['convert', '-'], { stdin: new Uint8Array([0x1f, 0x8b, 0x08, 0x00]) });
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'dtmetrics: standard input is gzip-compressed: decompress it first (… | gunzip -c | dtmetrics convert -)\n',
    );
  });

  it('--format json: a request too large to read whole leaves nothing half-written on stdout', async () => {
    const run = await dtmetrics(['convert', '--format', 'json', '-'], {
      stdin: new Uint8Array((64 << 20) + 1).fill(1),
    });
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /is over 64 MB: an OTLP request that size is not one Dynatrace takes \(4 MB\)\n$/);
  });

  it('--help lists the formats and exit codes', async () => {
    const run = await dtmetrics(['convert', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /--from <format>\s+auto, prometheus, openmetrics, statsd, otlp, json/);
    assert.match(run.stdout, /Exit codes: 0 all converted, 1 /);
  });
});

describe('dtmetrics convert: Prometheus with the scrape before', () => {
  const before = file(
    'before.prom',
    '# TYPE jobs_total counter\njobs_total{queue="mail"} 10\n# TYPE up_seconds gauge\nup_seconds 5\n',
  );
  const now = file(
    'now.prom',
    '# TYPE jobs_total counter\njobs_total{queue="mail"} 14\n# TYPE up_seconds gauge\nup_seconds 65\n',
  );

  it('sends a counter increase with --previous, and without it says why not and exits 1', async () => {
    const withPrevious = await dtmetrics(['convert', ...NOW, '--previous', before, now]);
    assert.equal(withPrevious.code, 0, withPrevious.stderr);
    assert.match(withPrevious.stdout, /\njobs_total,queue=mail count,delta=4\n/);
    assert.match(withPrevious.stdout, /\nup_seconds gauge,65\n$/);
    const alone = await dtmetrics(['convert', ...NOW, now]);
    assert.equal(alone.code, 1);
    assert.doesNotMatch(alone.stdout, /jobs_total/);
    assert.match(
      alone.stderr,
      /`jobs_total`: not converted: `jobs_total` is a running total: its increase needs the scrape before this one \(`dtmetrics convert --previous FILE`\)/,
    );
  });
});
