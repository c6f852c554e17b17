/**
 * What the tenant answered, as diagnostics on the source lines (`source: 'tenant'`), apart from the language
 * server's: they say what happened to a line once, so an edit of a line drops its diagnostics and the ones below
 * move with their lines. Edits made while a push is in flight are followed too (LineTracker), so the answer lands
 * on the lines that were sent.
 */
import * as vscode from 'vscode';
import { countLineBreaks, endsWithLineBreak } from '#core/text.ts';
import { inert } from '../notifier.ts';

const TENANT_SOURCE = 'tenant';

/** A diagnostic with the tenant's words (made inert, as all tenant text shown in the editor). */
export function tenantDiagnostic(
  range: vscode.Range,
  message: string,
  severity: vscode.DiagnosticSeverity,
): vscode.Diagnostic {
  // eslint-disable-next-line no-restricted-syntax -- the one place tenant diagnostics are made
  const diagnostic = new vscode.Diagnostic(range, inert(message), severity);
  diagnostic.source = TENANT_SOURCE;
  return diagnostic;
}

/** Where `line` is after `change`, or null when the change touched it. */
function lineAfter(line: number, change: vscode.TextDocumentContentChangeEvent): number | null {
  const { start, end } = change.range;
  if (line < start.line) return line;
  const added = countLineBreaks(change.text);
  // Text that ends in a line break, inserted at the start of a line, moves the line down without changing it.
  const endsWithBreak = endsWithLineBreak(change.text);
  const pushedDown = change.range.isEmpty && start.character === 0 && added > 0 && endsWithBreak;
  // Whole lines replaced (Delete Line: (L,0)–(L+1,0) with nothing): the line after them only moves up.
  const wholeLines =
    start.character === 0 && end.character === 0 && end.line > start.line && (change.text === '' || endsWithBreak);
  if (line === end.line && wholeLines) return line + added - (end.line - start.line);
  if (line <= end.line && !pushedDown) return null;
  return line + added - (end.line - start.line);
}

/** Where `line` is after `changes`, applied in order (as an event lists them), or null when one touched it. */
function lineAfterAll(line: number, changes: readonly vscode.TextDocumentContentChangeEvent[]): number | null {
  let current: number | null = line;
  for (const change of changes) {
    if (current === null) break;
    current = lineAfter(current, change);
  }
  return current;
}

/** Follows one document's edits from its creation on, to map the lines of that moment to the current ones. */
export class LineTracker implements vscode.Disposable {
  private readonly changes: vscode.TextDocumentContentChangeEvent[] = [];
  private readonly subscription: vscode.Disposable;

  constructor(readonly uri: vscode.Uri) {
    this.subscription = vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document.uri.toString() === uri.toString()) this.changes.push(...event.contentChanges);
    });
  }

  /** The line's number now, or null when an edit changed it. */
  map(line: number): number | null {
    return lineAfterAll(line, this.changes);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

export class TenantDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('dtmetrics-tenant');
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => this.follow(event)),
      // A closed document may change on disk: its answers would no longer be known to fit.
      vscode.workspace.onDidCloseTextDocument((document) => this.collection.delete(document.uri)),
    ];
  }

  /** Replaces the diagnostics on `lines` of the document with `found` (each on one of those lines). */
  replace(uri: vscode.Uri, lines: ReadonlySet<number>, found: readonly vscode.Diagnostic[]): void {
    const kept = (this.collection.get(uri) ?? []).filter((d) => !lines.has(d.range.start.line));
    this.collection.set(uri, [...kept, ...found]);
  }

  private follow(event: vscode.TextDocumentChangeEvent): void {
    const existing = this.collection.get(event.document.uri);
    if (!existing || existing.length === 0 || event.contentChanges.length === 0) return;
    const moved: vscode.Diagnostic[] = [];
    let changed = false;
    for (const diagnostic of existing) {
      const line = lineAfterAll(diagnostic.range.start.line, event.contentChanges);
      const delta = line === null ? 0 : line - diagnostic.range.start.line;
      changed ||= line === null || delta !== 0;
      if (line === null) continue;
      if (delta === 0) {
        moved.push(diagnostic);
        continue;
      }
      moved.push(
        tenantDiagnostic(
          new vscode.Range(diagnostic.range.start.translate(delta), diagnostic.range.end.translate(delta)),
          diagnostic.message,
          diagnostic.severity,
        ),
      );
    }
    if (changed) this.collection.set(event.document.uri, moved);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.collection.dispose();
  }
}
