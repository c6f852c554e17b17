/**
 * `dtmetrics convert` streams: inputs far larger than its heap (the CLI runs with a 48 MB old space) go through
 * standard input and come out as lines, every item converted and counted — one JSON array of points (cut into its
 * elements as it is read), JSON points one per line, and Prometheus gauges of many metric keys (the linter of the
 * lines written keeps a little per key, nothing per series). The test counts what comes out without keeping it.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { assertBuilt, feed, spawnCli } from './helpers.ts';

/** About 100 MB per input (DTMETRICS_TEST_CONVERT_BYTES sets another size for a quick local run). */
const TOTAL_BYTES = Number(process.env.DTMETRICS_TEST_CONVERT_BYTES) || 100 * 2 ** 20;
const HEAP = ['--max-old-space-size=48'];

before(assertBuilt);

/** JSON points of many series, `total` bytes of them, in chunks of about 1 MB; `count` says how many were made. */
function* points(separator: string, made: { count: number }, total = TOTAL_BYTES): Generator<string> {
  let size = 0;
  let chunk: string[] = [];
  let chunkSize = 0;
  for (let i = 0; size < total; i++) {
    const point = JSON.stringify({
      metricId: `shop.orders.s${i % 50}`,
      value: i % 1000,
      dimensions: { 'Region Name': `region-${i % 7}`, host: `host-${i % 997}`, path: `/a b/${i % 13}` },
    });
    const text = (i === 0 ? '' : separator) + point;
    chunk.push(text);
    chunkSize += text.length;
    size += text.length;
    made.count++;
    if (chunkSize > 1 << 20) {
      yield chunk.join('');
      chunk = [];
      chunkSize = 0;
    }
  }
  yield chunk.join('');
}

/**
 * Prometheus gauges of many families, `TOTAL_BYTES` of them: as many metric keys as the linter of the lines written
 * keeps state for (one per family), and 100 series each, which it must not keep.
 */
function* gaugeFamilies(made: { count: number }): Generator<string> {
  let size = 0;
  for (let family = 0; size < TOTAL_BYTES; family++) {
    let text = `# TYPE fam_${family}_bytes gauge\n`;
    for (let i = 0; i < 100; i++) text += `fam_${family}_bytes{device="dev${i}",mount="/m/${i % 7}"} ${i * 1.5}\n`;
    made.count += 100;
    size += text.length;
    yield text;
  }
}

async function convertStreamed(
  format: 'json' | 'prometheus',
  input: (made: { count: number }) => Iterable<string>,
): Promise<void> {
  const child = spawnCli(['convert', '--from', format, '-'], { nodeArgs: HEAP });
  const closed = once(child, 'close') as Promise<[number | null]>;
  let lines = 0;
  let tail = '';
  child.stdout.on('data', (c: Buffer) => {
    const text = tail + c.toString();
    const cut = text.lastIndexOf('\n');
    for (let at = text.indexOf('\n'); at >= 0 && at <= cut; at = text.indexOf('\n', at + 1)) lines++;
    tail = text.slice(cut + 1);
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const made = { count: 0 };
  await feed(child.stdin, input(made), closed);
  const [code] = await closed;
  assert.equal(code, 0, stderr.slice(-2000));
  // The header comment, the naming of nothing (keys are kept), one line per item.
  assert.equal(lines, made.count + 1);
  const n = made.count.toLocaleString('en-US');
  const noun = format === 'json' ? 'data points' : 'samples';
  const summary = stderr.slice(stderr.lastIndexOf('\n', stderr.length - 2) + 1);
  assert.equal(summary, `dtmetrics convert: converted ${n} of ${n} ${noun} into ${n} lines\n`);
}

describe('dtmetrics convert streams in bounded memory', () => {
  it('one JSON array of ~100 MB, cut into its points as it is read', () =>
    convertStreamed('json', function* (made) {
      yield '[\n';
      yield* points(',\n', made);
      yield '\n]\n';
    }));

  it('~100 MB of JSON points, one per line', () => convertStreamed('json', (made) => points('\n', made)));

  it('~100 MB of Prometheus gauges in some 20,000 families of 100 series: keys are kept, series not', () =>
    convertStreamed('prometheus', gaugeFamilies));
});

describe('dtmetrics convert and a line longer than it reads', () => {
  async function convertStdin(text: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawnCli(['convert', '--from', 'json', '-']);
    const closed = once(child, 'close') as Promise<[number | null]>;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await feed(child.stdin, [text], closed);
    const [code] = await closed;
    return { code, stdout, stderr };
  }

  it('one JSON array of ~8 MB on one line: one item not converted, saying how to write it, exit 1', async () => {
    const made = { count: 0 };
    const run = await convertStdin(`[${[...points(',', made, 8 * 2 ** 20)].join('')}]\n`);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /^-:1: `\[\{.{78}…`: not converted: a line of [\d,]+ characters, longer than convert reads \(4 MB\): write one value per line \(NDJSON: `jq -c '\.\[\]'`\)$/m,
    );
    assert.match(run.stderr, /converted 0 of 1 data point into 0 lines; 1 not converted\n$/);
  });

  it('a pretty-printed point with a line too long inside: the point is not converted (not read without that line)', async () => {
    const huge = JSON.stringify(Object.fromEntries([...Array(200_000).keys()].map((i) => [`k${i}`, 'v'.repeat(20)])));
    const run = await convertStdin(
      `{"metricId": "cpu.usage",\n"dimensions": ${huge},\n"value": 1}\n{"metricId": "cpu.idle", "value": 2}\n`,
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /^-:1: `\{"metricId": "cpu\.usage",`: not converted: its line 2 is longer than can be read$/m,
    );
    assert.match(run.stdout, /\ncpu\.idle gauge,2\n$/);
    assert.doesNotMatch(run.stdout, /cpu\.usage/);
    assert.match(run.stderr, /converted 1 of 2 data points into 1 line; 1 not converted\n$/);
  });
});
