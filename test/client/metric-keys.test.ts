/**
 * The Query lens's grouping (client/src/query/metric-keys.ts, no VS Code needed): one lens a block, the Send lens's
 * blocks, each offering the stored keys of its lines. test/vscode/query.test.ts runs the lens in a real VS Code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blocks } from '#core/push/blocks.ts';
import { blockMetrics, keysOfLines } from '#client/query/metric-keys.ts';

/** A file where each line is another metric, in blocks between comments and blank lines. */
const ONE_METRIC_A_LINE = [
  '// host metrics',
  'cpu.usage,host=a 12.5',
  'memory.used,host=a 2048',
  'disk.free,host=a 100',
  'net.received,host=a count,delta=5',
  'cpu.usage,host=b 30',
  '',
  '// requests',
  '#http.requests count dt.meta.unit=Count',
  'http.requests,path=/ count,delta=3',
  '',
  '// not a metric',
  '{"metric": "cpu.usage", "value": 1}',
];
const lineAt = (line: number) => ONE_METRIC_A_LINE[line] as string;

test('one Query lens a block, not a line: each with its distinct stored keys, in order, counts as key.count', () => {
  const found = blockMetrics(ONE_METRIC_A_LINE.length, lineAt, 1000, () => false);
  assert.deepEqual(found, [
    { start: 1, end: 5, keys: ['cpu.usage', 'memory.used', 'disk.free', 'net.received.count'] },
    { start: 8, end: 9, keys: ['http.requests.count'] },
  ]);
  const sendBlocks = blocks(ONE_METRIC_A_LINE).map(({ start }) => start);
  for (const { start } of found) assert.ok(sendBlocks.includes(start), `line ${start} has a Send lens too`);
});

test('a block with no metric (JSON) gets no Query lens; the limit and cancellation stop the walk', () => {
  assert.deepEqual(
    blockMetrics(ONE_METRIC_A_LINE.length, lineAt, 1, () => false).map((b) => b.start),
    [1],
  );
  assert.deepEqual(
    blockMetrics(ONE_METRIC_A_LINE.length, lineAt, 1000, () => true),
    [],
  );
});

test('the keys of a range of lines: what the lens command offers', () => {
  assert.deepEqual(keysOfLines(1, 2, lineAt), ['cpu.usage', 'memory.used']);
  assert.deepEqual(keysOfLines(0, 0, lineAt), []);
});

test('one block as long as a large file gives way within it, not only between blocks', () => {
  const lines = Array.from({ length: 5000 }, (_, i) => `big.metric,n=${i} 1`);
  let asked = 0;
  // Go on at the block's start; stop when asked again, within the block.
  const found = blockMetrics(
    lines.length,
    (line) => lines[line] as string,
    1000,
    () => ++asked > 1,
  );
  assert.deepEqual(found, []);
  assert.equal(asked, 2);
});
