/**
 * Editor features answered from the core: code actions, hover, completion, symbols, folding, formatting; functions of
 * a document and what is known of it, with no connection (test/lsp/features.test.ts calls them in process).
 */
import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  FoldingRangeKind,
  InsertTextFormat,
  MarkupKind,
  SymbolKind,
  type CodeAction,
  type CompletionItem,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type Position,
  type TextEdit,
} from 'vscode-languageserver/node';
import { formatDuration, formatWindow } from '#core/check.ts';
import type { KeySummaries } from '#core/lint.ts';
import { parseLine } from '#core/parse.ts';
import type { Diagnostic, DiagnosticData, Fix } from '#core/problems.ts';
import { isRuleCode, LIMITS, literal, RULES, ruleEvidence } from '#core/rules.ts';
import { UNIT_IDS } from '#core/metrics/units.ts';
import { foreignRun, isRunCode, type ForeignRun, type RunCode } from '#core/convert/runs.ts';
import { DIAGNOSTIC_SOURCE } from '#protocol';
import type { LineDocument } from './documents.ts';
import { readDiagnosticData, type ClientDiagnostic } from './params.ts';
import type { Typing, WorkspaceIndex } from './workspace-index.ts';

/** One lint of a document version: its diagnostics, and what the file says of each key (hovers). */
export interface LintedDocument {
  /** The server's count of the document's changes (edits, settings, the clock) that this lint saw. */
  revision: number;
  diagnostics: LspDiagnostic[];
  keys: KeySummaries;
  hasTimestamps: boolean;
}

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** A finding of the core as an LSP diagnostic, with its rule's documentation and its data (fixes) for code actions. */
export function lspDiagnostic(d: Diagnostic): LspDiagnostic {
  const rule = RULES[d.code] as { docs?: string };
  return {
    range: { start: { line: d.line, character: d.startChar }, end: { line: d.line, character: d.endChar } },
    severity: SEVERITY[d.severity],
    code: d.code,
    ...(rule.docs ? { codeDescription: { href: rule.docs } } : {}),
    source: DIAGNOSTIC_SOURCE,
    message: d.message,
    ...(d.data ? { data: d.data } : {}),
  };
}

/** Walks over a document yield after this many lines, so that the server can answer other messages meanwhile. */
const STEP_LINES = 2000;

function editsOf(fix: Fix, line: number): TextEdit[] {
  return fix.edits.map((e) => ({
    range: { start: { line, character: e.start }, end: { line, character: e.end } },
    newText: e.text,
  }));
}

/** The data of a diagnostic this server made (a client's are read strictly: readDiagnosticData). */
const ownData = (d: LspDiagnostic): DiagnosticData => (d.data ?? {}) as DiagnosticData;

/**
 * Quick fixes where a finding has one right answer (its `fix` from the core), "replace with now" and "remove"
 * for stale timestamps, "fix all" of one code in the file, and the conversion of a run of lines in another format
 * (LN007, LN010, LN011: core/convert/runs.ts), preferred to the one-line rewrite when the run is longer than the line.
 */
export function codeActions(
  doc: LineDocument,
  params: { diagnostics: ClientDiagnostic[]; only: string[] },
  result: LintedDocument,
  now: number,
): CodeAction[] {
  const uri = doc.uri;
  const actions: CodeAction[] = [];
  const fixAllCodes = new Set<string>();
  /** The runs found so far: a selection over one run sends a diagnostic per line, and the run is converted once. */
  const runs: { code: RunCode; run: ForeignRun }[] = [];
  for (const d of params.diagnostics) {
    if (d.source !== DIAGNOSTIC_SOURCE) continue;
    const data = readDiagnosticData(d.data);
    const line = d.range.start.line;
    // Sent back as the client sent it, the way a code action names the diagnostics it resolves.
    const resolves = [d as LspDiagnostic];
    // A run of one line with a one-line rewrite converts the same thing: only the rewrite, without comments, then.
    const code = isRunCode(d.code) ? d.code : null;
    const known = runs.find((r) => r.code === code && r.run.start <= line && line <= r.run.end)?.run;
    const found = known ?? (code ? foreignRun((i) => doc.lineAt(i), doc.lineCount, line, code) : null);
    const run = found && !known && (found.end > found.start || !data.fix) ? found : null;
    if (code && found && !known) runs.push({ code, run: found });
    if (run) {
      const range = {
        start: { line: run.start, character: 0 },
        end: { line: run.end, character: doc.lineAt(run.end).length },
      };
      actions.push({
        title: run.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: resolves,
        isPreferred: true,
        edit: { changes: { [uri]: [{ range, newText: run.converted.text }] } },
      });
    }
    if (data.fix) {
      actions.push({
        title: data.fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: resolves,
        isPreferred: found === null || found.end === found.start,
        edit: { changes: { [uri]: editsOf(data.fix, line) } },
      });
      fixAllCodes.add(String(d.code));
    }
    if (d.code === 'TS003' && data.timestamp) {
      const range = { start: { line, character: data.timestamp.start }, end: { line, character: data.timestamp.end } };
      actions.push({
        title: `Replace the timestamp with now: ${literal(String(now))}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: resolves,
        edit: { changes: { [uri]: [{ range, newText: String(now) }] } },
      });
      const withSpace = { start: { line, character: data.timestamp.start - 1 }, end: range.end };
      actions.push({
        title: 'Remove the timestamp: the tenant stamps the point when it arrives',
        kind: CodeActionKind.QuickFix,
        diagnostics: resolves,
        edit: { changes: { [uri]: [{ range: withSpace, newText: '' }] } },
      });
    }
  }
  for (const code of fixAllCodes) {
    const fixable = result.diagnostics.filter((d) => d.code === code && ownData(d).fix);
    if (fixable.length < 2) continue;
    actions.push({
      title: `Fix all ${code} problems in this file (${fixable.length})`,
      kind: CodeActionKind.QuickFix,
      diagnostics: fixable,
      edit: { changes: { [uri]: nonOverlapping(fixable) } },
    });
  }
  if (params.only.some((kind) => kind.startsWith('source.fixAll'))) {
    const fixable = result.diagnostics.filter((d) => ownData(d).fix);
    if (fixable.length > 0)
      actions.push({
        title: 'Fix all dtmetrics problems that have one right fix',
        kind: 'source.fixAll.dtmetrics',
        edit: { changes: { [uri]: nonOverlapping(fixable) } },
      });
  }
  return actions;
}

/** The fixes' edits, dropping any that overlap an earlier one (a workspace edit must not overlap). */
function nonOverlapping(diagnostics: LspDiagnostic[]): TextEdit[] {
  const edits: TextEdit[] = [];
  const taken = new Map<number, Array<[number, number]>>();
  for (const d of diagnostics) {
    const fix = ownData(d).fix as Fix;
    const line = d.range.start.line;
    const spans = taken.get(line) ?? [];
    if (fix.edits.some((e) => spans.some(([s, t]) => (e.start < t && s < e.end) || e.start === s))) continue;
    for (const e of fix.edits) spans.push([e.start, e.end]);
    taken.set(line, spans);
    edits.push(...editsOf(fix, line));
  }
  return edits;
}

const inside = (p: Position, start: number, end: number) => p.character >= start && p.character <= end;

/**
 * A diagnostic's explanation, a timestamp's date and age, or a metric key's series count and type. `result` is the
 * newest finished lint, which may be of an earlier version (the one whose diagnostics the editor shows); none yet,
 * and the hover says what the line alone says.
 */
export function hover(
  doc: LineDocument,
  position: Position,
  result: LintedDocument | undefined,
  now: number,
): Hover | null {
  const here = (result?.diagnostics ?? []).filter(
    (d) => d.range.start.line === position.line && inside(position, d.range.start.character, d.range.end.character),
  );
  const parts: string[] = [];
  for (const d of here) {
    const code = String(d.code);
    if (!isRuleCode(code)) continue;
    const rule = RULES[code] as { title: string; docs?: string };
    const { evidence, decision } = ruleEvidence(code, 'markdown');
    // The message itself the editor shows above the hover, with the diagnostic.
    parts.push(
      `**${code}: ${rule.title}**\n\n_Evidence:_ ${evidence}` +
        (decision ? `\n\n_Decision:_ ${decision}` : '') +
        (rule.docs ? `\n\n[Documentation](${rule.docs})` : ''),
    );
  }
  const parsed = parseLine(doc.lineAt(position.line));
  if (parsed.kind === 'data') {
    const ts = parsed.timestamp;
    if (ts && inside(position, ts.start, ts.end) && /^\d+$/.test(ts.text))
      parts.push(describeTimestamp(Number(ts.text), now));
    if (inside(position, parsed.key.start, parsed.key.end) && parsed.key.text) {
      const summary = result?.keys.keySummary(parsed.key.text);
      if (summary) {
        const series =
          summary.series === null
            ? `more than ${summary.budget.toLocaleString('en-US')} series`
            : `${summary.series} series`;
        parts.push(
          `\`${parsed.key.text}\`: ${summary.type ?? 'no valid payload yet'}, ${series} (distinct dimension tuples) in this file`,
        );
      }
    }
  }
  return parts.length === 0 ? null : { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') } };
}

function describeTimestamp(ms: number, now: number): string {
  if (!Number.isFinite(ms) || ms > 8.64e15) return 'Not a date in milliseconds.';
  const date = new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  const age = now - ms;
  // The window is not a setting of the editor: the table's limits are the ones in force here.
  if (age >= 0)
    return `${date} — ${formatDuration(age)} ago; the tenant rejects points older than ${formatWindow(LIMITS.timestampPastMs)}.`;
  return `${date} — in ${formatDuration(-age)}; the tenant rejects points more than ${formatWindow(LIMITS.timestampFutureMs)} ahead.`;
}

const PAYLOADS: CompletionItem[] = [
  {
    label: 'gauge,',
    kind: CompletionItemKind.Keyword,
    detail: 'a single value',
    insertText: 'gauge,${1:0}',
    insertTextFormat: InsertTextFormat.Snippet,
  },
  {
    label: 'count,delta=',
    kind: CompletionItemKind.Keyword,
    detail: 'a count since the last report',
    insertText: 'count,delta=${1:1}',
    insertTextFormat: InsertTextFormat.Snippet,
  },
  {
    label: 'gauge,min=…,max=…,sum=…,count=…',
    kind: CompletionItemKind.Snippet,
    detail: 'a summary of several observations',
    insertText: 'gauge,min=${1:0},max=${2:0},sum=${3:0},count=${4:1}',
    insertTextFormat: InsertTextFormat.Snippet,
  },
];
const META_PROPERTIES = ['dt.meta.displayName=', 'dt.meta.description=', 'dt.meta.unit='];

/** What fits where the cursor is: keys seen in the workspace, payload forms, metadata properties and units, now. */
export function completions(
  doc: LineDocument,
  position: Position,
  index: WorkspaceIndex,
  now: number,
): CompletionItem[] {
  const before = doc.lineAt(position.line).slice(0, position.character);
  if (/^\s*\/\//.test(before)) return [];
  const typing = typedKey(doc, position);
  if (before.startsWith('#')) {
    if (/dt\.meta\.unit=[^,\s]*$/.test(before))
      return UNIT_IDS.map((label) => ({ label, kind: CompletionItemKind.Unit }));
    if (/^#\S+\s+\S+\s+(\S*,)?[^,=\s]*$/.test(before))
      return META_PROPERTIES.map((label) => ({ label, kind: CompletionItemKind.Property }));
    if (/^#\S+\s+\S*$/.test(before))
      return ['gauge', 'count'].map((label) => ({ label, kind: CompletionItemKind.Keyword }));
    return /^#\S*$/.test(before)
      ? index.metricKeys(typing).map((label) => ({ label, kind: CompletionItemKind.Variable }))
      : [];
  }
  const spaces =
    (before.match(/ /g) ?? []).length -
    (before.match(/"[^"]*"/g) ?? []).reduce((n, q) => n + (q.match(/ /g) ?? []).length, 0);
  if (spaces === 0) {
    if (/,[^,=\s]*$/.test(before))
      return index
        .dimensionKeys(typing)
        .map((label) => ({ label, kind: CompletionItemKind.Field, insertText: label + '=' }));
    if (/^[^,\s]*$/.test(before))
      return index.metricKeys(typing).map((label) => ({ label, kind: CompletionItemKind.Variable }));
    return [];
  }
  if (spaces === 1) return PAYLOADS;
  if (spaces === 2)
    return [{ label: String(now), kind: CompletionItemKind.Constant, detail: 'now, in epoch milliseconds' }];
  return [];
}

/** The metric or dimension key under the cursor, as the workspace index counts it for this line. */
function typedKey(doc: LineDocument, { line, character }: Position): Typing | undefined {
  const parsed = parseLine(doc.lineAt(line));
  if (parsed.kind !== 'data' && parsed.kind !== 'metadata') return undefined;
  const within = (span: { start: number; end: number }) => span.start <= character && character <= span.end;
  if (within(parsed.key)) return { uri: doc.uri, key: parsed.key.text };
  const dimension = parsed.kind === 'data' ? parsed.dimensions.find((d) => within(d.key)) : undefined;
  return dimension && { uri: doc.uri, key: dimension.key.text };
}

/** An outline grouped by metric key: one symbol per key, its lines as children. Yields every STEP_LINES lines. */
export function* documentSymbols(doc: LineDocument): Generator<void, DocumentSymbol[]> {
  const byKey = new Map<string, DocumentSymbol>();
  for (let line = 0; line < doc.lineCount; line++) {
    if (line % STEP_LINES === STEP_LINES - 1) yield;
    const text = doc.lineAt(line);
    const parsed = parseLine(text);
    if (parsed.kind !== 'data' && parsed.kind !== 'metadata') continue;
    const key = parsed.key.text;
    if (key === '') continue;
    const range = { start: { line, character: 0 }, end: { line, character: text.length } };
    const selectionRange = { start: { line, character: parsed.key.start }, end: { line, character: parsed.key.end } };
    let group = byKey.get(key);
    if (!group) {
      group = { name: key, kind: SymbolKind.Namespace, range, selectionRange, children: [] };
      byKey.set(key, group);
    }
    group.range = { start: group.range.start, end: range.end };
    const name = parsed.kind === 'metadata' ? 'metadata' : text.slice(parsed.key.end).trim() || key;
    group.children?.push({
      name,
      kind: parsed.kind === 'metadata' ? SymbolKind.Property : SymbolKind.Event,
      range,
      selectionRange: range,
    });
  }
  return [...byKey.values()];
}

/** Blocks of two or more `//` comment lines fold. Yields every STEP_LINES lines. */
export function* foldingRanges(doc: LineDocument): Generator<void, FoldingRange[]> {
  const ranges: FoldingRange[] = [];
  let start = -1;
  for (let line = 0; line <= doc.lineCount; line++) {
    if (line % STEP_LINES === STEP_LINES - 1) yield;
    const comment = line < doc.lineCount && /^\s*\/\//.test(doc.lineAt(line));
    if (comment && start < 0) start = line;
    if (!comment && start >= 0) {
      if (line - 1 > start) ranges.push({ startLine: start, endLine: line - 1, kind: FoldingRangeKind.Comment });
      start = -1;
    }
  }
  return ranges;
}

/**
 * Normalises spacing and nothing else: the edits are exactly the fixes of LN004 (leading and trailing whitespace,
 * separators other than one space), which the parser places only outside keys, values and payloads, so what is
 * sent never changes. Whitespace-only lines become empty. Yields every STEP_LINES lines.
 */
export function* formattingEdits(doc: LineDocument): Generator<void, TextEdit[]> {
  const edits: TextEdit[] = [];
  for (let line = 0; line < doc.lineCount; line++) {
    if (line % STEP_LINES === STEP_LINES - 1) yield;
    const text = doc.lineAt(line);
    const parsed = parseLine(text);
    if (parsed.kind === 'blank') {
      if (text !== '')
        edits.push({ range: { start: { line, character: 0 }, end: { line, character: text.length } }, newText: '' });
      continue;
    }
    if (parsed.kind === 'comment') continue;
    for (const p of parsed.problems) if (p.code === 'LN004' && p.data?.fix) edits.push(...editsOf(p.data.fix, line));
  }
  return edits;
}
