/**
 * The cost and cardinality figures in the editor (issue 15, README "dtmetrics stats"): a CodeLens over each metric's
 * first line, the figures of a dimension key in its hover, and the quick fix of MK015 (drop the dimension from the
 * metric's lines). Functions of a document and its analysis (core/stats/document.ts), with no connection.
 */
import {
  CodeActionKind,
  type CodeAction,
  type CodeLens,
  type Diagnostic as LspDiagnostic,
} from 'vscode-languageserver/node';
import { storedKeyOf } from '#core/keys.ts';
import { parseLine } from '#core/parse.ts';
import { count, decimal, dimensionNotes, metricSummary } from '#core/stats/describe.ts';
import { dropDimensionEdits, type DocumentStats } from '#core/stats/document.ts';
import { plural } from '#core/text.ts';
import type { LineDocument } from './documents.ts';

/** The client command a lens runs: the document's whole table (client/src/stats.ts). */
export const SHOW_STATS_COMMAND = 'dtmetrics.stats.show';

/** One lens over each metric's first line, in line order. */
export function statsLenses(uri: string, stats: DocumentStats): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const [key, line] of stats.firstLines) {
    const metric = stats.metrics.get(key);
    if (metric === undefined) continue;
    lenses.push({
      range: { start: { line, character: 0 }, end: { line, character: 0 } },
      command: { title: metricSummary(metric), command: SHOW_STATS_COMMAND, arguments: [uri] },
    });
  }
  return lenses.sort((a, b) => a.range.start.line - b.range.start.line);
}

/** The figures of the dimension key under the cursor, in Markdown; null elsewhere. */
export function dimensionHover(
  doc: LineDocument,
  line: number,
  character: number,
  stats: DocumentStats,
): string | null {
  const parsed = parseLine(doc.lineAt(line));
  if (parsed.kind !== 'data') return null;
  const dim = parsed.dimensions.find((d) => d.key.start <= character && character <= d.key.end);
  const key = storedKeyOf(parsed);
  const metric = key === null ? undefined : stats.metrics.get(key);
  const figures = metric?.dimensions.find((d) => d.key === dim?.key.text);
  const place = key === null || dim === undefined ? undefined : stats.dimensions.get(key)?.get(dim.key.text);
  if (metric === undefined || figures === undefined || place === undefined) return null;
  const more = figures.values - place.sample.length;
  const values =
    `${plural(figures.values, 'distinct value')} in this file` +
    (figures.estimated ? ' (estimated)' : '') +
    `: ${place.sample.map(codeSpan).join(', ')}` +
    (more > 0 ? `, and ${count(more, figures.estimated)} more` : '');
  const parts = [
    `\`${figures.key}\` of \`${metric.key}\` — ${values}.`,
    `×${decimal(figures.multiplier, 2)} series: \`${metric.key}\` has ${count(metric.series, metric.estimated)} series, ` +
      `${count(metric.series / figures.multiplier)} without \`${figures.key}\`.`,
  ];
  const notes = dimensionNotes(figures, metric.dimensions);
  if (notes !== '') parts.push(notes[0]?.toUpperCase() + notes.slice(1) + '.');
  if (figures.volatile !== null && metric.daysToTupleLimit !== null)
    parts.push(
      `+${count(metric.newSeriesPerDay ?? 0)} series/day: 1 M in ${decimal(metric.daysToTupleLimit, 1)} days.`,
    );
  return parts.join('\n\n');
}

/** MK015's quick fix: drop the dimension from every line of its metric (always well-formed; the series merge). */
export function dropDimensionAction(doc: LineDocument, diagnostic: LspDiagnostic): CodeAction | null {
  const { line, character } = diagnostic.range.start;
  const parsed = parseLine(doc.lineAt(line));
  if (parsed.kind !== 'data') return null;
  const dim = parsed.dimensions.find((d) => d.key.start === character);
  const key = storedKeyOf(parsed);
  if (dim === undefined || key === null) return null;
  const edits = dropDimensionEdits((i) => doc.lineAt(i), doc.lineCount, key, dim.key.text);
  return {
    title: `Drop \`${dim.key.text}\` from the ${plural(edits.length, 'line')} of \`${key}\` (merges their series)`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    edit: {
      changes: {
        [doc.uri]: edits.map((e) => ({
          range: { start: { line: e.line, character: e.start }, end: { line: e.line, character: e.end } },
          newText: '',
        })),
      },
    },
  };
}

/**
 * A value from the file as Markdown code: fenced by one backtick more than its longest run of them (CommonMark), so a
 * backtick in a dimension value cannot end the span and let the rest render as Markdown.
 */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
