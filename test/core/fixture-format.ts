/**
 * The `.dtmetrics` rule-fixture format, shared by the tests that read fixtures, and bless mode for every fixture
 * test: with `UPDATE_FIXTURES=1` a fixture test rewrites its expectations from what the code produces instead of
 * failing, and leaves everything else in the file as it was.
 *
 * Fixture format (comments are `.dtmetrics` comments, so fixtures are valid files in the editor too):
 *   //! now: <epoch-ms>             the instant for the timestamp window (default FIXTURE_NOW; `off` switches it off)
 *   //! options: {<LintOptions>}    JSON merged into the lint options (limits, severities)
 *   //! base: <line>                a line of the base the file is compared with (MK016; one directive a line)
 *   //= CODE start-end severity     a diagnostic expected on the nearest line above that is not `//=` or `//!`;
 *                                   start-end are 0-based UTF-16 offsets, end exclusive
 *   //=   message: <text>           its whole message (one such line per line of a message with line breaks)
 *   //=   fix: <title>              the fix it offers, if any,
 *   //=   fixed: <text>             and the line after the fix's edits are applied (one per line it becomes)
 * Every other line is linted as written. A line with no `//=` after it must produce no diagnostic at all. The
 * expectations of a line keep the order they are written in; bless appends new ones in the linter's order. To add
 * a case, write the line (and, if you like, `//= CODE start-end`) and run the test with UPDATE_FIXTURES=1: it
 * fills in the rest, which you then read.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { lintText, type LintOptions } from '#core/lint.ts';
import type { Diagnostic, Fix, TextEdit } from '#core/problems.ts';

export const FIXTURE_NOW = Date.parse('2024-11-22T18:26:40Z'); // 1732300000000
export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'rules');

/** Bless mode: fixture tests write what the code produces into their fixtures instead of comparing. */
export const BLESS = process.env.UPDATE_FIXTURES === '1';

export interface Expectation {
  /** The 0-based line of the fixture it is expected on. */
  line: number;
  code: string;
  start: number;
  end: number;
  /** Empty where a fixture leaves it out (to be blessed), as is the message. */
  severity: string;
  message: string;
  /** The fix's title, and the expected line's text after it (several lines where the fix splits it). */
  fix?: { title: string; fixed: string };
}

const HEAD = /^\/\/= ([A-Z]{2}\d{3}) (\d+)-(\d+)(?: (error|warning|info|hint))?$/;
const PART = /^\/\/= {3}(message|fix|fixed):(?: (.*))?$/;

export function readFixture(text: string): {
  options: LintOptions;
  expected: Expectation[];
  linted: number[];
  base: string[];
} {
  const options: LintOptions = { now: FIXTURE_NOW };
  const base: string[] = [];
  const expected: Expectation[] = [];
  const linted: number[] = [];
  const messages = new Map<Expectation, string[]>();
  const fixed = new Map<Expectation, string[]>();
  let target = -1;
  text.split('\n').forEach((line, index) => {
    const where = `line ${index + 1}`;
    const directive = /^\/\/! (now|options|base): (.*)$/.exec(line);
    if (directive) {
      if (directive[1] === 'base') base.push(directive[2] as string);
      else if (directive[1] === 'now') options.now = directive[2] === 'off' ? null : Number(directive[2]);
      else Object.assign(options, JSON.parse(directive[2] as string));
      return;
    }
    const head = HEAD.exec(line);
    if (head) {
      assert.ok(target >= 0, `${where}: an expectation needs a line above it`);
      const [, code, start, end, severity = ''] = head as unknown as [
        string,
        string,
        string,
        string,
        string | undefined,
      ];
      const e: Expectation = { line: target, code, start: Number(start), end: Number(end), severity, message: '' };
      expected.push(e);
      messages.set(e, []);
      return;
    }
    const part = PART.exec(line);
    if (part) {
      const [, kind, value = ''] = part as unknown as [string, string, string | undefined];
      const e = expected.at(-1);
      assert.ok(e && e.line === target, `${where}: '${kind}:' belongs under a '//= CODE start-end severity' line`);
      if (kind === 'message') messages.get(e)?.push(value);
      else if (kind === 'fix') {
        assert.ok(!e.fix, `${where}: a diagnostic offers at most one fix`);
        e.fix = { title: value, fixed: '' };
        fixed.set(e, []);
      } else {
        assert.ok(e.fix, `${where}: 'fixed:' follows a 'fix:' line`);
        fixed.get(e)?.push(value);
      }
      return;
    }
    assert.ok(!line.startsWith('//=') && !line.startsWith('//!'), `${where}: malformed directive '${line}'`);
    target = index;
    linted.push(index);
  });
  for (const e of expected) {
    e.message = (messages.get(e) ?? []).join('\n');
    if (e.fix) e.fix.fixed = (fixed.get(e) ?? []).join('\n');
  }
  return { options, expected, linted, base };
}

/**
 * Applies edits to a text, as an editor applies a workspace edit: offsets are of the text before any edit, edits
 * must not overlap, and insertions at one offset keep their order.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const ordered = edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.start - b.edit.start || a.index - b.index);
  let out = '';
  let at = 0;
  for (const { edit } of ordered) {
    assert.ok(
      edit.start >= at && edit.start <= edit.end && edit.end <= text.length,
      `edits overlap or leave the text: ${JSON.stringify(edits)}`,
    );
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + text.slice(at);
}

const lineStart = (document: string, line: number) =>
  document
    .split('\n')
    .slice(0, line)
    .reduce((sum, l) => sum + l.length + 1, 0);

/** The document after a fix of a finding on `line` (its edits are offsets in that line). */
export function applyFix(document: string, line: number, fix: Fix): string {
  const offset = lineStart(document, line);
  const length = (document.split('\n')[line] ?? '').length;
  assert.ok(
    fix.edits.every((e) => e.end <= length),
    `the edits of '${fix.title}' reach past line ${line + 1}`,
  );
  return applyEdits(
    document,
    fix.edits.map((e) => ({ ...e, start: offset + e.start, end: offset + e.end })),
  );
}

/** What a diagnostic of the linter says, as an expectation of the fixture `document`. */
function expectationOf(document: string, d: Diagnostic): Expectation {
  const e: Expectation = {
    line: d.line,
    code: d.code,
    start: d.startChar,
    end: d.endChar,
    severity: d.severity,
    message: d.message,
  };
  const fix = d.data?.fix;
  if (!fix) return e;
  const after = applyFix(document, d.line, fix);
  // Edits stay within the line, so the rest of the document is as it was and the line is what the fix changed.
  const from = lineStart(document, d.line);
  const to = lineStart(document, d.line + 1) - 1 + after.length - document.length;
  return { ...e, fix: { title: fix.title, fixed: after.slice(from, to) } };
}

function render(e: Expectation): string[] {
  const out = [
    `//= ${e.code} ${e.start}-${e.end} ${e.severity}`,
    ...e.message.split('\n').map((m) => part('message', m)),
  ];
  if (e.fix) out.push(part('fix', e.fix.title), ...e.fix.fixed.split('\n').map((f) => part('fixed', f)));
  return out;
}

const part = (kind: string, value: string) => `//=   ${kind}:${value === '' ? '' : ' ' + value}`;
const sameFinding = (a: Expectation, b: Expectation) => a.code === b.code && a.start === b.start && a.end === b.end;

/**
 * The fixture with its expectations rewritten from `diagnostics`: everything but the `//=` lines stays; a line's
 * expectations stand where its first one stood (else right under the line), those already written in their order.
 */
export function blessFixture(text: string, diagnostics: readonly Diagnostic[]): string {
  const { expected, linted } = readFixture(text);
  const lines = text.split('\n');
  const lintedLines = new Set(linted);
  for (const d of diagnostics)
    assert.ok(
      lintedLines.has(d.line),
      `line ${d.line + 1} is a directive, yet ${d.code} is reported on it: ${lines[d.line]}`,
    );
  const blocks = new Map<number, string[]>();
  for (const line of new Set(diagnostics.map((d) => d.line))) {
    const written = expected.filter((e) => e.line === line);
    const rank = (e: Expectation) => {
      const i = written.findIndex((w) => sameFinding(w, e));
      return i < 0 ? written.length : i;
    };
    const actual = diagnostics.filter((d) => d.line === line).map((d) => expectationOf(text, d));
    blocks.set(line, actual.sort((a, b) => rank(a) - rank(b)).flatMap(render));
  }
  const written = new Set(expected.map((e) => e.line));
  const out: string[] = [];
  let target = -1;
  lines.forEach((line, index) => {
    if (line.startsWith('//=')) {
      out.push(...(blocks.get(target) ?? []));
      blocks.delete(target);
      return;
    }
    out.push(line);
    if (line.startsWith('//!')) return;
    target = index;
    if (!written.has(index)) out.push(...(blocks.get(index) ?? []));
  });
  return out.join('\n');
}

/**
 * Compares a fixture file with the text the code produces from it (`produce`); in bless mode writes that text
 * instead, produced again until it stays the same (messages may quote line numbers that the new text moves). A
 * difference fails with a diff by lines and says how to accept it.
 */
export function expectFixture(path: string, produce: (written: string) => string): void {
  const written = readFileSync(path, 'utf8');
  let produced = produce(written);
  if (produced === written) return;
  if (!BLESS)
    assert.fail(
      `${basename(path)}: the fixture (-) and what the code produces (+) differ; if the code is right, run the test with UPDATE_FIXTURES=1\n${lineDiff(written, produced)}`,
    );
  for (let round = 1; ; round++) {
    const again = produce(produced);
    if (again === produced) break;
    assert.ok(round < 5, `${basename(path)}: blessing does not settle`);
    produced = again;
  }
  writeFileSync(path, produced);
}

/** The lines that differ (- before, + after) with two lines of context, numbered as in `before`; long lines shortened. */
export function lineDiff(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  // common(i, j): the length of the longest common subsequence of a[i..] and b[j..].
  const table = new Uint32Array((a.length + 1) * (b.length + 1));
  const common = (i: number, j: number) => table[i * (b.length + 1) + j] ?? 0;
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * (b.length + 1) + j] =
        a[i] === b[j] ? common(i + 1, j + 1) + 1 : Math.max(common(i + 1, j), common(i, j + 1));
    }
  }
  const rows: { mark: ' ' | '-' | '+'; line: string; text: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      rows.push({ mark: ' ', line: String(i + 1), text: a[i] as string });
      i++;
      j++;
    } else if (i < a.length && (j === b.length || common(i + 1, j) >= common(i, j + 1))) {
      rows.push({ mark: '-', line: String(i + 1), text: a[i] as string });
      i++;
    } else {
      rows.push({ mark: '+', line: '', text: b[j] as string });
      j++;
    }
  }
  const near = (k: number) => rows.slice(Math.max(0, k - 2), k + 3).some((r) => r.mark !== ' ');
  const shorten = (text: string) =>
    text.length > 400 ? `${text.slice(0, 200)}…(${text.length} characters)…${text.slice(-200)}` : text;
  const out: string[] = [];
  rows.forEach((r, k) => {
    if (near(k)) out.push(`${r.mark} ${r.line.padStart(4)} | ${shorten(r.text)}`);
    else if (out.at(-1) !== '  …') out.push('  …');
  });
  return out.join('\n');
}

/** The fixture without its `//=` lines: comments, and a test that walks every line need not walk them. */
export const withoutExpectations = (text: string): string =>
  text
    .split('\n')
    .filter((line) => !line.startsWith('//='))
    .join('\n');

/** The errors the linter finds in a text (no timestamp window), as `CODE message`. */
export const lintErrors = (text: string): string[] =>
  lintText(text, { now: null })
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.code} ${d.message}`);
