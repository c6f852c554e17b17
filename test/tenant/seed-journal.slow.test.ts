/**
 * Seed 002 through the ingest journal: the user's Python `requests` script (test/fixtures/clients/, unchanged but
 * for DT_ENVIRONMENT_URL and DT_API_TOKEN) escapes its newline twice; the built `dtmetrics serve --tail` refuses the
 * one line it sends, the journal keeps it as sent with the reason, `--tail` prints it, and the editor's linter finds
 * in the journal's line exactly the one root cause the tenant's reason explains.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentLinter } from '#core/document-linter.ts';
import type { JournalEntry } from '#core/metrics/journal.ts';
import { DEFAULT_SETTINGS, lintOptions } from '#lsp/settings.ts';
import { assertBuilt } from '../cli/helpers.ts';
import { call, startServe, TOKEN, waitFor, type TenantProcess } from './helpers.ts';
import { seed } from './seed-scripts.ts';

/** What the script posts: two lines joined by a backslash and `n` (its f-string's `\\n`). */
const SENT = 'shop.orders,region=eu-west gauge,150\\ncustom.cart.size,region=eu-west gauge,3';
/** Where the backslash is: after the first line, which the rules accept. */
const AT = 'shop.orders,region=eu-west gauge,150'.length;

let tenant: TenantProcess;

before(async () => {
  assertBuilt();
  tenant = await startServe(['--tail', '--token', TOKEN, '--no-statsd']);
});
after(() => tenant?.stop());

describe('seed 002 through the ingest journal', () => {
  let entry: JournalEntry;

  before(async () => {
    const { status } = await seed('002_4e199a1693d61b5d.py', tenant);
    assert.equal(status, 400);
    const answer = await call(`${tenant.url}/_dtmetrics/journal?since=0`, { token: TOKEN });
    assert.equal(answer.status, 200, answer.text);
    const entries = (answer.json as { entries: JournalEntry[] }).entries;
    assert.equal(entries.length, 1, answer.text);
    entry = entries[0] as JournalEntry;
  });

  it('the entry: the lines endpoint, 400, python-requests, one line rejected as sent, and why', () => {
    assert.equal(entry.endpoint, 'lines');
    assert.equal(entry.status, 400);
    assert.match(entry.userAgent ?? '', /^python-requests\/\d+\.\d+(\.\d+)?$/);
    assert.deepEqual([entry.accepted, entry.rejected, entry.dropped], [0, 1, 0]);
    assert.equal(entry.bytes, Buffer.byteLength(SENT));
    assert.deepEqual(entry.lines, [SENT]);
    assert.equal(entry.problems.length, 1);
    assert.deepEqual({ line: entry.problems[0]?.line, kind: entry.problems[0]?.kind }, { line: 1, kind: 'rejected' });
    assert.match(entry.problems[0]?.reason ?? '', /error at '\\' {2}\(index 36\): A literal `\\n` here/);
  });

  it("the editor's linter finds one diagnostic in the entry's lines: the literal \\n, as the tenant explains it", () => {
    const linted = new DocumentLinter(lintOptions(DEFAULT_SETTINGS)).lint(entry.lines.join('\n'), Date.now());
    assert.equal(linted.diagnostics.length, 1, JSON.stringify(linted.diagnostics));
    const [diagnostic] = linted.diagnostics;
    const message =
      'A literal `\\n` here (2 characters: a backslash and `n`), not a line break, joins two lines into one, which the tenant refuses. Split the line there; in code, escape a newline once: `"\\n"`, not `"\\\\n"`.';
    assert.deepEqual(
      {
        code: diagnostic?.code,
        line: diagnostic?.line,
        startChar: diagnostic?.startChar,
        endChar: diagnostic?.endChar,
        message: diagnostic?.message,
      },
      { code: 'LN008', line: 0, startChar: AT, endChar: AT + 2, message },
    );
    // The tenant's reason is its wording around the same explanation.
    assert.equal(
      entry.problems[0]?.reason,
      `invalid line in message '${SENT}'; error at '\\'  (index ${AT}): ${message}`,
    );
  });

  it('dtmetrics serve --tail prints the request and the reason', async () => {
    const expected = `lines 400 from 127.0.0.1 (${entry.userAgent}): ${entry.bytes} B, 0 accepted, 1 rejected\n    line 1: rejected: ${entry.problems[0]?.reason}\n`;
    await waitFor(
      'the request in --tail',
      10_000,
      () => tenant.output().includes(expected) || undefined,
      tenant.ended,
      () => tenant.output(),
    );
  });
});
