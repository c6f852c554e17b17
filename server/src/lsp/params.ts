/**
 * The params of every message the language server handles, read strictly before use: a client may send anything,
 * and a wrong type must not end the process nor leave a broken document behind. Each reader returns the params it
 * needs, typed, or throws a ParamsError saying in one line what is wrong (the server refuses a request with it as
 * InvalidParams, and logs a notification it ignores).
 */
import { FileChangeType, type Position, type Range } from 'vscode-languageserver/node';
import type { DiagnosticData, Fix } from '#core/problems.ts';
import type { CardinalityParams, WorkspaceKeysParams } from '#protocol';
import type { ContentChange } from './documents.ts';

export class ParamsError extends Error {}

type Fields = Record<string, unknown>;

function fail(path: string, what: string): never {
  throw new ParamsError(`${path} must be ${what}`);
}

function object(value: unknown, path: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object');
  return value as Fields;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string');
  return value;
}

function integer(value: unknown, path: string): number {
  if (!Number.isSafeInteger(value)) fail(path, 'a whole number');
  return value as number;
}

function count(value: unknown, path: string): number {
  const n = integer(value, path);
  if (n < 0) fail(path, 'a whole number ≥ 0');
  return n;
}

function position(value: unknown, path: string): Position {
  const p = object(value, path);
  return { line: count(p.line, `${path}.line`), character: count(p.character, `${path}.character`) };
}

function range(value: unknown, path: string): Range {
  const r = object(value, path);
  return { start: position(r.start, `${path}.start`), end: position(r.end, `${path}.end`) };
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'a list');
  return value;
}

const uriOf = (params: Fields): string => string(object(params.textDocument, 'textDocument').uri, 'textDocument.uri');

/** Params that name a document, and what else a request needs. */
export interface DocumentParams {
  uri: string;
}

export function readDocument(params: unknown): DocumentParams {
  return { uri: uriOf(object(params, 'params')) };
}

export function readPosition(params: unknown): DocumentParams & { position: Position } {
  const p = object(params, 'params');
  return { uri: uriOf(p), position: position(p.position, 'position') };
}

export function readOpen(params: unknown): DocumentParams & { version: number; text: string } {
  const doc = object(object(params, 'params').textDocument, 'textDocument');
  return {
    uri: string(doc.uri, 'textDocument.uri'),
    version: integer(doc.version, 'textDocument.version'),
    text: string(doc.text, 'textDocument.text'),
  };
}

export function readChange(params: unknown): DocumentParams & { version: number; changes: ContentChange[] } {
  const p = object(params, 'params');
  const doc = object(p.textDocument, 'textDocument');
  const changes = list(p.contentChanges, 'contentChanges').map((value, i): ContentChange => {
    const change = object(value, `contentChanges[${i}]`);
    const text = string(change.text, `contentChanges[${i}].text`);
    return change.range === undefined ? { text } : { range: range(change.range, `contentChanges[${i}].range`), text };
  });
  return { uri: string(doc.uri, 'textDocument.uri'), version: integer(doc.version, 'textDocument.version'), changes };
}

/** The `.dtmetrics` files the client watches for the server that were created, changed or deleted. */
export function readWatchedFiles(params: unknown): { changes: { uri: string; deleted: boolean }[] } {
  const changes = list(object(params, 'params').changes, 'changes').map((value, i) => {
    const change = object(value, `changes[${i}]`);
    const type = change.type;
    if (type !== FileChangeType.Created && type !== FileChangeType.Changed && type !== FileChangeType.Deleted)
      fail(`changes[${i}].type`, '1, 2 or 3');
    return { uri: string(change.uri, `changes[${i}].uri`), deleted: type === FileChangeType.Deleted };
  });
  return { changes };
}

export function readWorkspaceKeys(params: unknown): WorkspaceKeysParams {
  return { limit: count(object(params, 'params').limit, 'limit') };
}

export function readCardinality(params: unknown): CardinalityParams {
  const p = object(params, 'params');
  if (p.scope === 'workspace') return { scope: 'workspace' };
  if (p.scope === 'document') return { scope: 'document', uri: string(p.uri, 'uri') };
  fail('scope', "'document' or 'workspace'");
}

/** A diagnostic the client sends back with a code action request: its range is read, the rest kept as sent. */
export interface ClientDiagnostic {
  range: Range;
  code?: unknown;
  source?: unknown;
  data?: unknown;
}

export function readCodeAction(
  params: unknown,
): DocumentParams & { range: Range; diagnostics: ClientDiagnostic[]; only: string[] } {
  const p = object(params, 'params');
  const context = object(p.context, 'context');
  const diagnostics = list(context.diagnostics, 'context.diagnostics').map((value, i) => {
    const d = object(value, `context.diagnostics[${i}]`);
    return { ...d, range: range(d.range, `context.diagnostics[${i}].range`) };
  });
  const only =
    context.only === undefined
      ? []
      : list(context.only, 'context.only').map((kind, i) => string(kind, `context.only[${i}]`));
  return { uri: uriOf(p), range: range(p.range, 'range'), diagnostics, only };
}

/**
 * The `data` of a diagnostic, as far as it is well formed: a diagnostic comes back from the client, which may have
 * changed it, so a fix or a timestamp is used only when every part of it has its type.
 */
export function readDiagnosticData(data: unknown): DiagnosticData {
  if (typeof data !== 'object' || data === null) return {};
  const d = data as Fields;
  const out: DiagnosticData = {};
  const fix = readFix(d.fix);
  if (fix) out.fix = fix;
  const ts = d.timestamp as Fields | undefined;
  if (typeof ts === 'object' && ts !== null && isSpan(ts) && ts.start >= 1)
    out.timestamp = { start: ts.start, end: ts.end };
  return out;
}

const isOffset = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isSpan = (v: Fields): v is { start: number; end: number } =>
  isOffset(v.start) && isOffset(v.end) && v.start <= v.end;

function readFix(value: unknown): Fix | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const fix = value as Fields;
  if (typeof fix.title !== 'string' || !Array.isArray(fix.edits)) return undefined;
  const edits = fix.edits as unknown[];
  const wellFormed = edits.every(
    (e) => typeof e === 'object' && e !== null && isSpan(e as Fields) && typeof (e as Fields).text === 'string',
  );
  return wellFormed ? { title: fix.title, edits: edits as Fix['edits'] } : undefined;
}
