// The blocks a Send (and a Query) lens covers, and the block around the cursor: text in, line ranges out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockAround, blocks } from '#core/push/blocks.ts';

const CASES: Array<[string, string[], Array<[number, number]>]> = [
  [
    'runs between blank lines and comments',
    ['a 1', 'b 2', '', '// c', 'c 3'],
    [
      [0, 1],
      [4, 4],
    ],
  ],
  [
    'metadata joins the lines it heads across blank lines',
    ['#a gauge', '', 'a 1', 'a 2', '', 'b 1'],
    [
      [0, 3],
      [5, 5],
    ],
  ],
  ['two metadata runs head the same lines', ['#a gauge', '', '#b gauge', '', 'a 1'], [[0, 4]]],
  [
    'a comment parts metadata from what follows',
    ['#a gauge', '// a', 'a 1'],
    [
      [0, 0],
      [2, 2],
    ],
  ],
  [
    'metadata at the end stays a block of its own',
    ['a 1', '', '#a gauge'],
    [
      [0, 0],
      [2, 2],
    ],
  ],
  [
    'metadata with data in its run heads nothing below',
    ['#a gauge', 'a 1', '', 'b 1'],
    [
      [0, 1],
      [3, 3],
    ],
  ],
];

for (const [what, lines, expected] of CASES) {
  test(`blocks: ${what}`, () => {
    assert.deepEqual(
      blocks(lines).map(({ start, end }) => [start, end]),
      expected,
    );
    for (const [start, end] of expected)
      for (let line = start; line <= end; line++)
        if (lines[line]?.trim() !== '') assert.deepEqual(blockAround(lines, line), { start, end }, `line ${line}`);
  });
}

test('blockAround: none on a blank line or a comment', () => {
  assert.equal(blockAround(['a 1', '', '// x'], 1), null);
  assert.equal(blockAround(['a 1', '', '// x'], 2), null);
});
