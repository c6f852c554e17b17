// Which tenant warnings a lint rule foretells (the editor then shows the rule's finding, not the warning again):
// the real tenant's words (OBS #5037) and the local tenant's, produced by its own ingest of a count line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkIngest } from '#core/metrics/ingest.ts';
import { foretellingRule } from '#core/push/answer.ts';

const WARNINGS: Array<[string, string, string | null]> = [
  [
    'a count key given `.count` by a tenant',
    "metric key 'executor.completed' changed to 'executor.completed.count'",
    'MK010',
  ],
  ['a gauge key ending in count given `.gauge`', "metric key 'queue_count' changed to 'queue_count.gauge'", 'MK010'],
  ['a warning no rule foretells', 'dimension value truncated', null],
];

for (const [what, warning, rule] of WARNINGS) {
  test(`foretellingRule: ${what}`, () => assert.equal(foretellingRule(warning), rule));
}

test("foretellingRule knows the local tenant's own words for a renamed key", () => {
  const { warnings } = checkIngest('jobs.done count,delta=3\n', 0, 'api');
  assert.equal(warnings.length, 1);
  assert.equal(foretellingRule(warnings[0]?.warning ?? ''), 'MK010');
});
