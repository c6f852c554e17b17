/**
 * `dtmetrics lint --format sarif`: valid SARIF 2.1.0 (checked with ajv against the official schema) carrying what
 * GitHub code scanning needs, with the same diagnostics as `--format json`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ValidateFunction } from 'ajv';
import {
  assertGitHubReady,
  NOW,
  TempDir,
  parseJsonReport,
  sarifValidator,
  type JsonDiagnostic,
  type SarifLog,
} from './helpers.ts';
import { dtmetrics } from './in-process.ts';
import { readCitations } from '#core/evidence.ts';

let validate: ValidateFunction;
let tmp: TempDir;

async function sarif(args: string[], stdin?: string) {
  const result = await dtmetrics(['lint', '--format', 'sarif', '--now', String(NOW), ...args], {
    cwd: tmp.path,
    ...(stdin !== undefined ? { stdin } : {}),
  });
  assert.equal(result.stderr, '', 'nothing on stderr');
  let log: unknown;
  assert.doesNotThrow(() => (log = JSON.parse(result.stdout)), 'stdout is JSON and nothing else');
  const valid = validate(log);
  assert.ok(valid, `SARIF schema errors:\n${JSON.stringify(validate.errors?.slice(0, 10), null, 2)}`);
  return { code: result.code, log: log as SarifLog };
}

async function json(args: string[], stdin?: string) {
  const result = await dtmetrics(['lint', '--format', 'json', '--now', String(NOW), ...args], {
    cwd: tmp.path,
    ...(stdin !== undefined ? { stdin } : {}),
  });
  return { code: result.code, report: parseJsonReport(result.stdout) };
}

/** The results as `file line:col-line:col code message`, comparable with the JSON report. */
function sarifFindings(log: SarifLog): string[] {
  return (log.runs[0]?.results ?? []).map((r) => {
    const loc = r.locations[0]?.physicalLocation;
    assert.ok(loc);
    const { startLine, startColumn, endLine, endColumn } = loc.region ?? assert.fail('lint places every result');
    return `${loc.artifactLocation.uri} ${startLine}:${startColumn}-${endLine}:${endColumn} ${r.ruleId} ${r.message.text}`;
  });
}

function jsonFindings(
  report: { file: string; diagnostics: JsonDiagnostic[] }[],
  uri: (file: string) => string,
): string[] {
  return report.flatMap((f) =>
    f.diagnostics.map((d) => `${uri(f.file)} ${d.line}:${d.column}-${d.endLine}:${d.endColumn} ${d.code} ${d.message}`),
  );
}

const LEVEL = { error: 'error', warning: 'warning', info: 'note', hint: 'note' } as const;

before(() => {
  validate = sarifValidator();
  tmp = new TempDir();
  tmp.write('errors.dtmetrics', 'cpu.load 5 1732300000000\n1metric 5\nmy.metric,Host=a 5\n');
  tmp.write('src/mixed.dtmetrics', '1metric 5\nsystem.load.1m 5\njobs_count 1\nmy.metric,a=😀ä,Bad=1 5\n');
  tmp.write('src/deep/dir/clean.dtmetrics', 'cpu.load 5\n');
  tmp.write('src/deep/with space ä.dtmetrics', 'cpu.load 5 \n');
});

after(() => tmp?.remove());

describe('--format sarif', () => {
  test('the validator rejects broken SARIF (so a pass means something)', () => {
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false, 'driver.name is required');
    assert.equal(validate({ version: '2.0.0', runs: [] }), false);
    assert.equal(
      validate({
        version: '2.1.0',
        runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }],
      }),
      false,
    );
    assert.equal(
      validate({
        version: '2.1.0',
        runs: [
          {
            tool: { driver: { name: 'x' } },
            results: [{ message: { text: 'm' }, locations: [{ physicalLocation: { region: { startLine: 0 } } }] }],
          },
        ],
      }),
      false,
    );
  });

  test('valid SARIF 2.1.0 that GitHub code scanning accepts', async () => {
    const { code, log } = await sarif(['errors.dtmetrics', 'src']);
    assert.equal(code, 1);
    assertGitHubReady(log);
    assert.ok((log.runs[0]?.results.length ?? 0) >= 5);
  });

  test('every rule a result names is described in tool.driver.rules', async () => {
    const { log } = await sarif(['src', 'errors.dtmetrics']);
    const ids = new Set(log.runs[0]?.tool.driver.rules.map((r) => r.id));
    for (const code of ['MK002', 'DK001', 'MK006', 'MK010', 'LN004'])
      assert.ok(ids.has(code), `${code} is in tool.driver.rules`);
  });

  test('rule descriptions show their sources as links (Markdown) or URLs (text), never citation tags', async () => {
    const { log } = await sarif(['errors.dtmetrics']);
    const rules = (log.runs[0]?.tool.driver.rules ??
      []) as (SarifLog['runs'][number]['tool']['driver']['rules'][number] &
      Record<'fullDescription', { text: string }> &
      Record<'help', { text: string; markdown: string }>)[];
    const mk006 = rules.find((r) => r.id === 'MK006') ?? assert.fail('MK006 is described');
    const issue = 'https://github.com/micrometer-metrics/micrometer/issues/2295';
    assert.ok(mk006.help.markdown.includes(`](${issue})`), mk006.help.markdown);
    assert.ok(mk006.fullDescription.text.includes(`(${issue})`), mk006.fullDescription.text);
    for (const rule of rules) {
      for (const shown of [rule.fullDescription.text, rule.help.text, rule.help.markdown]) {
        const { citations, dangling } = readCitations(shown);
        assert.deepEqual([...citations.map((c) => c.id), ...dangling.map((d) => d.text)], [], `${rule.id}: ${shown}`);
      }
    }
  });

  test('relative artifact URIs with forward slashes and a uriBaseId', async () => {
    const { log } = await sarif(['./src/mixed.dtmetrics', 'src/deep']);
    const uris = new Set(log.runs[0]?.results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri));
    assert.deepEqual([...uris].sort(), ['src/deep/with%20space%20%C3%A4.dtmetrics', 'src/mixed.dtmetrics']);
    assertGitHubReady(log);
  });

  test('the same diagnostics (count, codes, positions, messages) as --format json', async () => {
    const args = ['errors.dtmetrics', 'src'];
    const s = await sarif(args);
    const j = await json(args);
    assert.equal(s.code, j.code, 'the same exit code');
    const uri = (file: string) => file.split('/').map(encodeURIComponent).join('/');
    const expected = jsonFindings(j.report, uri);
    assert.ok(expected.length >= 5);
    assert.deepEqual(sarifFindings(s.log), expected);
    const levels = s.log.runs[0]?.results.map((r) => r.level ?? 'warning');
    assert.deepEqual(
      levels,
      j.report.flatMap((f) => f.diagnostics.map((d) => LEVEL[d.severity])),
    );
  });

  test('UTF-16 columns, as in the JSON report', async () => {
    const { log } = await sarif(['src/mixed.dtmetrics']);
    const dk = log.runs[0]?.results.find((r) => r.ruleId === 'DK001');
    assert.ok(dk);
    assert.deepEqual(dk.locations[0]?.physicalLocation.region, {
      startLine: 4,
      startColumn: 17,
      endLine: 4,
      endColumn: 18,
    });
  });

  test('--rule and --quiet apply to SARIF as to JSON', async () => {
    const args = ['--rule', 'MK002=warning', '--quiet', 'errors.dtmetrics', 'src'];
    const s = await sarif(args);
    const j = await json(args);
    assert.deepEqual(
      sarifFindings(s.log),
      jsonFindings(j.report, (f) => f.split('/').map(encodeURIComponent).join('/')),
    );
    assert.ok(!s.log.runs[0]?.results.some((r) => r.ruleId === 'MK002' || r.ruleId === 'MK006'));
  });

  test('no findings: a valid log with an empty results array, exit 0', async () => {
    const { code, log } = await sarif(['src/deep/dir']);
    assert.equal(code, 0);
    assertGitHubReady(log);
    assert.deepEqual(log.runs[0]?.results, []);
  });

  test('standard input: still valid, with a relative URI and the same diagnostics as JSON', async () => {
    const input = '1metric 5\nmy.metric,Host=a 5\n';
    const { log } = await sarif(['-'], input);
    assertGitHubReady(log);
    const j = await json(['-'], input);
    assert.deepEqual(
      sarifFindings(log).map((f) => f.slice(f.indexOf(' ') + 1)),
      jsonFindings(j.report, () => '').map((f) => f.slice(1)),
    );
  });
});
