/**
 * The quick fix that converts a run of foreign lines (core/convert/runs.ts through features.ts's code actions): each
 * test/fixtures/convert/runs/<case>.dtmetrics is linted as the server lints it; for each run of LN007/LN010/LN011
 * lines, <case>.expected holds the actions offered on every line of it (★ preferred) and the converted text; then the
 * document with every run's preferred action applied, which must lint without an error (`UPDATE_FIXTURES=1` rewrites
 * the expected files). The same fix over JSON-RPC: server.slow.test.ts; in VS Code: test/vscode/convert.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeAction, TextEdit } from 'vscode-languageserver/node';
import { DocumentLinter } from '#core/document-linter.ts';
import { foreignRun, MAX_RUN_LINES } from '#core/convert/runs.ts';
import { LineDocument } from '#lsp/documents.ts';
import { codeActions, lspDiagnostic } from '#lsp/features.ts';
import { ROOT } from '../cli/helpers.ts';
import { expectFixture, lintErrors } from '../core/fixture-format.ts';

const DIR = join(ROOT, 'test', 'fixtures', 'convert', 'runs');
const URI = 'untitled:runs';
const RUN_CODES = new Set(['LN007', 'LN010', 'LN011']);
const NOW = Date.parse('2024-11-22T18:26:40Z');

/** The actions offered for each line's diagnostics, as the editor asks for them at a cursor on the line. */
function actionsByLine(text: string): CodeAction[][] {
  const doc = new LineDocument(URI, 1, text);
  const { diagnostics, keys, hasTimestamps } = new DocumentLinter({}).lint(text, NOW);
  const linted = { revision: 0, diagnostics: diagnostics.map(lspDiagnostic), keys, hasTimestamps };
  return Array.from({ length: doc.lineCount }, (_, line) => {
    const here = linted.diagnostics.filter((d) => d.range.start.line === line && RUN_CODES.has(String(d.code)));
    return here.length === 0 ? [] : codeActions(doc, { diagnostics: here, only: [] }, linted, NOW);
  });
}

const editsOf = (action: CodeAction): TextEdit[] => action.edit?.changes?.[URI] ?? [];

/** Edits of whole lines (what both kinds of fix are here) applied from the last up. */
function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  for (const e of [...edits].sort((a, b) => b.range.start.line - a.range.start.line)) {
    const { start, end } = e.range;
    const before = (lines[start.line] as string).slice(0, start.character);
    const after = (lines[end.line] as string).slice(end.character);
    lines.splice(start.line, end.line - start.line + 1, ...(before + e.newText + after).split('\n'));
  }
  return lines.join('\n');
}

function render(text: string): string {
  const byLine = actionsByLine(text);
  const out: string[] = [];
  const preferred = new Map<string, TextEdit[]>();
  byLine.forEach((actions, line) => {
    if (actions.length === 0) return;
    out.push(`line ${line + 1}: ${actions.map((a) => (a.isPreferred ? '★ ' : '') + a.title).join(' | ')}`);
    const chosen = actions.find((a) => a.isPreferred);
    const edits = chosen ? editsOf(chosen) : [];
    const first = edits[0];
    if (first) preferred.set(`${first.range.start.line}`, edits);
  });
  for (const edits of preferred.values()) {
    const { start, end } = (edits[0] as TextEdit).range;
    out.push('', `--- lines ${start.line + 1}–${end.line + 1} become`, ...edits.map((e) => e.newText));
  }
  const fixed = applyEdits(text, [...preferred.values()].flat());
  assert.deepEqual(lintErrors(fixed), [], 'the document after the fixes lints without an error');
  out.push('', '--- the document after each preferred fix', fixed);
  return out.join('\n');
}

describe('the quick fix that converts a run of foreign lines', () => {
  for (const name of readdirSync(DIR).filter((f) => f.endsWith('.dtmetrics'))) {
    it(name, () => {
      const input = join(DIR, name);
      expectFixture(input.replace(/\.dtmetrics$/, '.expected'), () => render(readFileSync(input, 'utf8')));
    });
  }

  it('is offered on no run longer than MAX_RUN_LINES, and on no run without an item (`[]`)', () => {
    const long = Array.from({ length: MAX_RUN_LINES + 1 }, (_, i) => `{"metric": "m", "value": ${i}}`);
    assert.equal(
      foreignRun((i) => long[i] as string, long.length, 0, 'LN007'),
      null,
    );
    assert.notEqual(
      foreignRun((i) => long[i] as string, MAX_RUN_LINES, 0, 'LN007'),
      null,
    );
    assert.equal(
      foreignRun(() => '[]', 1, 0, 'LN007'),
      null,
    );
  });

  it('is not offered on a line of another root cause than the one asked for', () => {
    const lines = ['cpu.temp,host=a 42', '{"metric": "m", "value": 1}'];
    assert.equal(
      foreignRun((i) => lines[i] as string, 2, 0, 'LN007'),
      null,
    );
    assert.equal(foreignRun((i) => lines[i] as string, 2, 1, 'LN007')?.title, 'Convert this JSON line to metric lines');
  });
});
