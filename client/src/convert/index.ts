/**
 * The convert bundle's entry (dist/convert.js), loaded by activation.ts when a convert command first runs.
 * Convert to Metric Lines: the selection, the active file (text, or an OTLP protobuf request read as bytes) or the
 * clipboard, in a format sniffed or picked, into a new `dtmetrics` document beside, or in place of the selection of a
 * `.dtmetrics` document. Paste as Metric Lines: the clipboard converted at the cursor of a `.dtmetrics` document.
 * VS Code's paste API (registerDocumentPasteEditProvider) is not used: it is final only from VS Code 1.97, and this
 * extension runs from 1.91 (README, Converting in the editor). The conversion itself is the core's (convertToText).
 *
 * Each command resolves with a ConversionOutcome (undefined when cancelled), so that tests and scripts learn what
 * was converted without reading the screen.
 */
import { isUtf8 } from 'node:buffer';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { conversionHeader, convertToText, packedText, SNIFF_BYTES, sniffFormat } from '#core/convert/index.ts';
import {
  FORMAT_NAMES,
  ITEM_NOUNS,
  SOURCE_FORMATS,
  type ConversionTally,
  type SourceFormat,
} from '#core/convert/model.ts';
import { plural, shortText } from '#core/text.ts';
import { UserError } from '#edge/errors.ts';
import { argumentObject, oneOf, uri as uriArgument, type ArgumentObject } from '../arguments.ts';
import type { LazyFeatures } from '../lazy-commands.ts';
import type { Notifier } from '../notifier.ts';
import type { ConvertCommand } from './activation.ts';

/** What a convert command did. */
export interface ConversionOutcome {
  /** The document the lines went into. */
  uri: string;
  format: SourceFormat;
  tally: ConversionTally;
  /** Metric lines written (comments not counted). */
  lines: number;
  /** The notification shown. */
  summary: string;
}

const SOURCES = ['selection', 'file', 'clipboard'] as const;
type SourceKind = (typeof SOURCES)[number];

/** What is converted, and what it is called in the summary and the new document's first comment. */
interface Source {
  kind: SourceKind;
  name: string;
  input: string | Uint8Array;
  /** The editor whose selection it is (selection only). */
  editor?: vscode.TextEditor;
  /** The name of the file it is (of) (file, selection). */
  file?: string;
}

export function activateConvert(notifier: Notifier): LazyFeatures<ConvertCommand> {
  return {
    run: (command, arg) =>
      command === 'dtmetrics.convertToMetricLines' ? convertCommand(notifier, arg) : pasteCommand(notifier, arg),
    dispose: () => undefined,
  };
}

/**
 * Arguments (all optional): a Uri (the explorer's menu): that file; `{ source: 'selection' | 'file' | 'clipboard',
 * uri?, format? }`. Without a source: the selection if there is one, else the active file or the clipboard, asked
 * when both are there.
 */
async function convertCommand(notifier: Notifier, arg: unknown): Promise<ConversionOutcome | undefined> {
  const options = argumentObject(arg) ?? {};
  const source = await chooseSource(options);
  if (!source) return undefined;
  const read = await chooseFormat(source, options);
  if (!read) return undefined;
  const converted = convertToText(source.input, read.format);
  const editor = source.editor;
  if (editor && editor.document.languageId === 'dtmetrics') {
    // A selection of lines keeps its line break: what follows it stays on its own line.
    const text = String(source.input);
    const trailing = /\r?\n$/.exec(text)?.[0] ?? '';
    const selection = editor.selection;
    if (!(await editor.edit((edit) => edit.replace(selection, converted.text + trailing))))
      throw new UserError('The selection changed while it was converted; run Convert to Metric Lines again');
    return summarise(notifier, editor.document.uri, source, read, converted);
  }
  const head = conversionHeader(source.name, read.format, read.reason, new Date().toISOString(), null);
  const document = await vscode.workspace.openTextDocument(untitledFor(source));
  const content = new vscode.WorkspaceEdit();
  content.insert(document.uri, new vscode.Position(0, 0), `${head}\n${converted.text}\n`);
  if (!(await vscode.workspace.applyEdit(content))) throw new UserError('The converted lines could not be written');
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside });
  return summarise(notifier, document.uri, source, read, converted);
}

/**
 * A new untitled document named after the source (`payments.dtmetrics` for payments.json): its tab says what it holds,
 * and Save offers that name. `-2`, `-3` when one of the name is open.
 */
function untitledFor(source: Source): vscode.Uri {
  const stem = source.kind === 'clipboard' ? 'clipboard' : (source.file ?? 'converted').replace(/\.[^.]*$/, '');
  const taken = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
  for (let n = 1; ; n++) {
    const uri = vscode.Uri.from({ scheme: 'untitled', path: `${stem}${n === 1 ? '' : `-${n}`}.dtmetrics` });
    if (!taken.has(uri.toString())) return uri;
  }
}

/** Arguments (all optional): `{ format }`. */
async function pasteCommand(notifier: Notifier, arg: unknown): Promise<ConversionOutcome | undefined> {
  const options = argumentObject(arg) ?? {};
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId !== 'dtmetrics')
    throw new UserError('Paste as Metric Lines pastes into a .dtmetrics document: open one first');
  const source = await clipboardSource();
  if (!source) throw new UserError('The clipboard holds no text to paste as metric lines');
  const read = await chooseFormat(source, options);
  if (!read) return undefined;
  const converted = convertToText(source.input, read.format);
  // The lines go in as lines of their own, whatever the cursor is between.
  const { start, end } = editor.selection;
  const before = editor.document.lineAt(start.line).text.slice(0, start.character).trim() === '' ? '' : '\n';
  const after = editor.document.lineAt(end.line).text.slice(end.character).trim() === '' ? '' : '\n';
  const selection = editor.selection;
  if (!(await editor.edit((edit) => edit.replace(selection, before + converted.text + after))))
    throw new UserError('The document changed while the clipboard was converted; paste again');
  return summarise(notifier, editor.document.uri, source, read, converted);
}

async function chooseSource(options: ArgumentObject): Promise<Source | undefined> {
  const asked = oneOf(options, 'source', SOURCES);
  const file = uriArgument(options, 'uri');
  if (file) return fileSource(file);
  const editor = vscode.window.activeTextEditor;
  if (asked === 'selection' || (asked === undefined && editor && !editor.selection.isEmpty)) {
    if (!editor || editor.selection.isEmpty) throw new UserError('There is no selection to convert');
    return {
      kind: 'selection',
      name: `the selection in ${basename(editor.document.uri.path)}`,
      file: basename(editor.document.uri.path),
      input: editor.document.getText(editor.selection),
      editor,
    };
  }
  const clipboard = asked === 'file' ? undefined : await clipboardSource();
  if (asked === 'clipboard') {
    if (!clipboard) throw new UserError('The clipboard holds no text to convert');
    return clipboard;
  }
  const active = activeFile(editor);
  if (asked === 'file' && !active) throw new UserError('There is no open file to convert');
  type Choice = vscode.QuickPickItem & { source: 'file' | 'clipboard' };
  const choices: Choice[] = [];
  if (active)
    choices.push({ label: `$(file) ${basename(active.path)}`, description: 'the whole file', source: 'file' });
  if (clipboard)
    choices.push({
      label: '$(clippy) The clipboard',
      description: preview(String(clipboard.input)),
      source: 'clipboard',
    });
  if (choices.length === 0)
    throw new UserError('Nothing to convert: select lines, open a file, or copy text to the clipboard first');
  const [first] = choices;
  const picked =
    choices.length === 1
      ? first
      : await vscode.window.showQuickPick(choices, { title: 'Convert to Metric Lines: what to convert?' });
  if (!picked) return undefined;
  return picked.source === 'clipboard' ? clipboard : fileSource(active as vscode.Uri);
}

/**
 * The active file to convert: the text editor's document unless it is metric lines already, or a file open in a
 * tab without a text editor (a binary file, such as an OTLP request in protobuf).
 */
function activeFile(editor: vscode.TextEditor | undefined): vscode.Uri | undefined {
  if (editor) return editor.document.languageId === 'dtmetrics' ? undefined : editor.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputText ? input.uri : undefined;
}

/** A file as text when it is open in the editor (unsaved edits included) or its bytes are UTF-8; else its bytes. */
async function fileSource(uri: vscode.Uri): Promise<Source> {
  const name = basename(uri.path);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return { kind: 'file', name, file: name, input: open.getText() };
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (error) {
    throw new UserError(`Cannot read ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { kind: 'file', name, file: name, input: isUtf8(bytes) ? new TextDecoder().decode(bytes) : bytes };
}

async function clipboardSource(): Promise<Source | undefined> {
  const text = await vscode.env.clipboard.readText();
  return text.trim() === '' ? undefined : { kind: 'clipboard', name: 'the clipboard', input: text };
}

/** The first line of a text, shortened, for a pick's description. */
function preview(text: string): string {
  const line = text.trimStart().split(/\r?\n/, 1)[0] ?? '';
  return shortText(line);
}

interface ReadAs {
  format: SourceFormat;
  /** How it was told (sniffed), or null when it was given or picked. */
  reason: string | null;
}

/** The format given, else sniffed, else picked from the formats. */
async function chooseFormat(source: Source, options: ArgumentObject): Promise<ReadAs | undefined> {
  const binary = typeof source.input !== 'string';
  const given = oneOf(options, 'format', SOURCE_FORMATS);
  const sniffed =
    typeof source.input === 'string' ? sniffFormat(source.input.slice(0, SNIFF_BYTES), false) : sniffFormat('', true);
  const packed = typeof source.input === 'string' ? null : packedText(source.input);
  if (packed !== null) throw new UserError(`${source.name} is ${packed.what}: ${packed.todo}`);
  const format = given ?? sniffed?.format;
  if (binary && format !== 'otlp')
    throw new UserError(`${source.name} is binary, not ${format ?? 'text'}: only OTLP requests come as protobuf`);
  if (format !== undefined) return { format, reason: given === undefined ? (sniffed?.reason ?? null) : null };
  const picked = await vscode.window.showQuickPick(
    SOURCE_FORMATS.map((f) => ({ label: FORMAT_NAMES[f], description: `one ${ITEM_NOUNS[f]} per item`, format: f })),
    { title: `dtmetrics cannot tell the format of ${source.name}: read it as` },
  );
  return picked && { format: picked.format, reason: null };
}

/**
 * "Converted 12 of 14 samples into 12 lines; 2 not converted (the comments say why). Read as Prometheus (a `# TYPE`
 * line)." The figures first, as a collapsed notification shows the start; a warning when something was not
 * converted, with a button that shows the first comment saying why.
 */
function summarise(
  notifier: Notifier,
  uri: vscode.Uri,
  source: Source,
  read: ReadAs,
  converted: { tally: ConversionTally; lines: number },
): ConversionOutcome {
  const { tally, lines } = converted;
  const noun = ITEM_NOUNS[read.format];
  const figures =
    tally.items === 0
      ? `Found no ${noun} to convert in ${source.name}`
      : `Converted ${tally.converted.toLocaleString('en-US')} of ${plural(tally.items, noun)} into ${plural(lines, 'line')}`;
  const skipped =
    tally.skipped > 0 ? `; ${tally.skipped.toLocaleString('en-US')} not converted (the comments say why)` : '';
  // A notification shows no Markdown: the reason's backticks would show as they are.
  const as = read.reason === null ? '' : ` Read as ${FORMAT_NAMES[read.format]} (${read.reason.replace(/`/g, '"')}).`;
  const summary = `${figures}${skipped}.${as}`;
  if (tally.skipped === 0 && tally.items > 0) void notifier.show('information', summary);
  else if (tally.skipped === 0) void notifier.show('warning', summary);
  else
    void notifier.show('warning', summary, SHOW_NOT_CONVERTED).then((chosen) => {
      if (chosen === SHOW_NOT_CONVERTED) void showFirstNote(uri);
    });
  return { uri: uri.toString(), format: read.format, tally, lines, summary };
}

const SHOW_NOT_CONVERTED = 'Show What Was Not Converted';

/** Selects the first `// not converted` comment of the document and scrolls to it. */
async function showFirstNote(uri: vscode.Uri): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  for (let line = 0; line < document.lineCount; line++) {
    if (!document.lineAt(line).text.startsWith('// not converted')) continue;
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(line, 0, line, document.lineAt(line).text.length);
    editor.revealRange(editor.selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return;
  }
}
