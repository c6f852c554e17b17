/**
 * `dtmetrics convert` streams: inputs far larger than its heap (the CLI runs with a 48 MB old space) go through
 * standard input and come out as lines, every item converted and counted — one JSON array of points (cut into its
 * elements as it is read), and JSON points one per line. The test counts what comes out without keeping it.
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

async function convertStreamed(input: (made: { count: number }) => Iterable<string>): Promise<void> {
  const child = spawnCli(['convert', '--from', 'json', '-'], { nodeArgs: HEAP });
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
  // The header comment, the naming of nothing (keys are kept), one line per point.
  assert.equal(lines, made.count + 1);
  const n = made.count.toLocaleString('en-US');
  const summary = stderr.slice(stderr.lastIndexOf('\n', stderr.length - 2) + 1);
  assert.equal(summary, `dtmetrics convert: converted ${n} of ${n} data points into ${n} lines\n`);
}

describe('dtmetrics convert streams in bounded memory', () => {
  it('one JSON array of ~100 MB, cut into its points as it is read', () =>
    convertStreamed(function* (made) {
      yield '[\n';
      yield* points(',\n', made);
      yield '\n]\n';
    }));

  it('~100 MB of JSON points, one per line', () => convertStreamed((made) => points('\n', made)));
});

describe('dtmetrics convert and a line longer than it reads', () => {
  it('one JSON array of ~8 MB on one line: one item not converted, saying how to write it, exit 1', async () => {
    const made = { count: 0 };
    const text = `[${[...points(',', made, 8 * 2 ** 20)].join('')}]\n`;
    const child = spawnCli(['convert', '--from', 'json', '-']);
    const closed = once(child, 'close') as Promise<[number | null]>;
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.resume();
    await feed(child.stdin, [text], closed);
    const [code] = await closed;
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      /^-:1: `\[\{.*`: not converted: a line of [\d,]+ characters: convert reads lines of up to 4 MB; /m,
    );
    assert.match(stderr, /converted 0 of 1 data point into 0 lines; 1 not converted\n$/);
  });
});
