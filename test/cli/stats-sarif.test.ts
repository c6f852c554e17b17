/**
 * `dtmetrics stats --format sarif`: valid SARIF 2.1.0 that GitHub code scanning accepts (the checks of lint's SARIF,
 * sarif.test.ts), with MK015 at a volatile dimension key's first use and, against a base, MK016 at the first line
 * of a metric that gains new series: an error over --max-new-series (exit 1), a warning within it. Standard input
 * is not read twice: its results name it, without a place.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ValidateFunction } from 'ajv';
import { assertGitHubReady, sarifValidator, TempDir, type SarifLog } from './helpers.ts';
import { dtmetrics } from './in-process.ts';

let validate: ValidateFunction;
let tmp: TempDir;

const uuid = (i: number) => `3f2504e0-4f89-11d3-9a0c-0305e82c33${String(i).padStart(2, '0')}`;
const ROUTES = ['/cart', '/checkout', '/search'];
/** Three routes, as the base has them. */
const requests = ROUTES.map((route) => `app.requests,route=${route} count,delta=1\n`).join('');
/** The change under review: each request line gains a request_id, a UUID a request (line 3 on). */
const withRequestIds =
  '// requests by route\n\n' +
  Array.from(
    { length: 12 },
    (_, i) => `app.requests,route=${ROUTES[i % 3]},request_id=${uuid(i)} count,delta=1\n`,
  ).join('');

async function sarif(args: string[], stdin?: string) {
  const run = await dtmetrics(['stats', '--format', 'sarif', '--interval', '1m', ...args], {
    cwd: tmp.path,
    ...(stdin === undefined ? {} : { stdin }),
  });
  assert.equal(run.stderr, '', 'nothing on stderr');
  let log: unknown;
  assert.doesNotThrow(() => (log = JSON.parse(run.stdout)), 'stdout is JSON and nothing else');
  assert.ok(validate(log), `SARIF schema errors:\n${JSON.stringify(validate.errors?.slice(0, 10), null, 2)}`);
  assertGitHubReady(log as SarifLog);
  return { code: run.code, results: (log as SarifLog).runs[0]?.results ?? [] };
}

/** A result as `uri line:col-line:col level code message`, or `uri level code message` without a place. */
const shown = (r: SarifLog['runs'][number]['results'][number]) => {
  const { artifactLocation: a, region: g } = r.locations[0]?.physicalLocation ?? assert.fail('a location');
  const where = g === undefined ? '' : ` ${g.startLine}:${g.startColumn}-${g.endLine}:${g.endColumn}`;
  return `${a.uri}${where} ${r.level} ${r.ruleId} ${r.message.text}`;
};

before(() => {
  validate = sarifValidator();
  tmp = new TempDir('dtmetrics-stats-sarif-');
  tmp.write('base/app.dtmetrics', requests);
  tmp.write('metrics/app.dtmetrics', withRequestIds);
  tmp.write('metrics/errors.dtmetrics', 'app.errors,route=/cart count,delta=1\n');
});

after(() => tmp?.remove());

describe('dtmetrics stats --format sarif', () => {
  it('a UUID dimension: one MK015, a note at its key where it is first written; exit 0', async () => {
    const { code, results } = await sarif(['metrics']);
    assert.equal(code, 0);
    assert.deepEqual(results.map(shown), [
      'metrics/app.dtmetrics 3:26-3:36 note MK015 `request_id` of `app.requests.count` is volatile: 100 % of values are UUIDs (12 distinct, ×4.00 the series); 1 M series in 57.9 days at this cadence. Drop it, or bucket its values into a few (a class, a range, a route template).',
    ]);
  });

  it('--base and --max-new-series 5: MK016 an error at the metric’s first line, exit 1; a metric within it a warning', async () => {
    const { code, results } = await sarif(['--base', 'base', '--max-new-series', '5', 'metrics']);
    assert.equal(code, 1);
    assert.deepEqual(results.map(shown), [
      'metrics/app.dtmetrics 3:1-3:13 error MK016 `app.requests.count` gains 12 new series (+4,730,400 points/year) against --base: more than --max-new-series 5.',
      'metrics/app.dtmetrics 3:26-3:36 note MK015 `request_id` of `app.requests.count` is volatile: 100 % of values are UUIDs (12 distinct, ×4.00 the series); 1 M series in 57.9 days at this cadence. Drop it, or bucket its values into a few (a class, a range, a route template).',
      'metrics/errors.dtmetrics 1:1-1:11 warning MK016 `app.errors.count` gains 1 new series (+525,600 points/year) against --base: within --max-new-series 5.',
    ]);
  });

  it('no new series and nothing volatile: no results, exit 0', async () => {
    const { code, results } = await sarif(['--base', 'base', '--max-new-series', '0', 'base']);
    assert.equal(code, 0);
    assert.deepEqual(results, []);
  });

  it('standard input: its results name it, without a place; a file’s keep theirs', async () => {
    const { code, results } = await sarif(['--base', 'base', '-', 'metrics/errors.dtmetrics'], withRequestIds);
    assert.equal(code, 0);
    assert.deepEqual(
      results.map((r) => shown(r).split(' `')[0]),
      ['stdin warning MK016', 'stdin note MK015', 'metrics/errors.dtmetrics 1:1-1:11 warning MK016'],
    );
  });
});
