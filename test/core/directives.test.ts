// A file's directives, from its leading comments only: fixture text in, directives out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileDirectives, windowApplies } from '#core/directives.ts';

const CASES: Array<[string, string, string | null]> = [
  ['none', 'cpu.load 1\n', null],
  [
    'rebase, in the opening comments',
    '// Recorded at noon.\n// dtmetrics: timestamps=rebase\n\ncpu.load 1 1000\n',
    'rebase',
  ],
  ['strip, spaced freely', '  //dtmetrics:   timestamps=strip  \n', 'strip'],
  ['the last of two', '// dtmetrics: timestamps=strip\n// dtmetrics: timestamps=as-written\n', 'as-written'],
  ['after a line of data: not a directive', 'cpu.load 1\n// dtmetrics: timestamps=rebase\n', null],
  ['an unknown mode: not a directive', '// dtmetrics: timestamps=shift\n', null],
  ['a line break as Windows writes it', '// dtmetrics: timestamps=rebase\r\n', 'rebase'],
];

for (const [what, text, timestamps] of CASES) {
  test(`fileDirectives: ${what}`, () => assert.equal(fileDirectives(text.split('\n')).timestamps, timestamps));
}

test('the timestamp window speaks of timestamps as written only', () => {
  assert.deepEqual(
    [null, 'as-written', 'rebase', 'strip'].map((timestamps) => windowApplies({ timestamps } as never)),
    [true, true, false, false],
  );
});
