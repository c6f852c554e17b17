/**
 * Root causes where lines are sent and linted in bulk: the local tenant refuses every line of a JSON document (the
 * later lines point to the first; none is stored), and the built CLI, whose clean lines take the fast path, reports
 * exactly what the core reports line by line.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '#core/lint.ts';
import { assertBuilt, NOW, parseJsonReport, runCli } from '../cli/helpers.ts';
import { call, ingest, startServe, TOKEN, type TenantProcess } from './helpers.ts';

const JSON_DOCUMENT = '{\n  "metric": "cpu.temp",\n  "value": 42.5\n}';

describe('root causes in bulk', () => {
  let tenant: TenantProcess;
  before(async () => {
    assertBuilt();
    tenant = await startServe(['--token', TOKEN]);
  });
  after(() => tenant.stop());

  it('the tenant refuses every line of a JSON document over several lines, and stores none', async () => {
    const answer = await ingest(tenant.url, JSON_DOCUMENT);
    assert.equal(answer.status, 400, answer.text);
    const body = answer.json as {
      linesOk: number;
      linesInvalid: number;
      error: { invalidLines: { line: number; error: string }[] };
    };
    assert.deepEqual({ ok: body.linesOk, invalid: body.linesInvalid }, { ok: 0, invalid: 4 });
    assert.match(
      body.error.invalidLines[0]?.error ?? '',
      /This is part of JSON, and the ingest API takes the metric line protocol/,
    );
    for (const later of body.error.invalidLines.slice(1))
      assert.match(later.error, /This continues the JSON that starts on line 1\./);
    const metrics = (await call(`${tenant.url}/api/v2/metrics?pageSize=500`, { token: TOKEN })).json as {
      totalCount: number;
    };
    assert.equal(metrics.totalCount, 0, 'nothing of the JSON was stored as a metric');
  });

  it('the CLI (clean lines on the fast path) reports what the core reports, JSON runs included', async () => {
    const text = `my.metric 1\n${JSON_DOCUMENT}\nmy.metric 2\n{\n}\ncpu,host=a value=1\n`;
    const result = await runCli(['lint', '--format', 'json', '--now', String(NOW), '-'], { stdin: text });
    const fromCli = (parseJsonReport(result.stdout)[0]?.diagnostics ?? []).map(
      (d) => `${d.line - 1}:${d.code} ${d.message}`,
    );
    const fromCore = lintText(text, { now: NOW }).map((d) => `${d.line}:${d.code} ${d.message}`);
    assert.deepEqual(fromCli, fromCore);
    assert.deepEqual(
      fromCore.map((d) => d.split(' ')[0]),
      ['1:LN007', '2:LN007', '3:LN007', '4:LN007', '6:LN007', '7:LN007', '8:LN009'],
    );
  });
});
