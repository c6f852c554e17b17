/**
 * Output formats of `dtmetrics lint`. Each writes as diagnostics arrive, so the report of a huge file never has
 * to sit in memory. Lines and columns are 1-based; columns count UTF-16 code units, as VS Code does.
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute, sep } from 'node:path';
import type { Diagnostic } from '#core/problems.ts';
import type { CitationFormat } from '#core/evidence.ts';
import { RULES, RULE_CODES, ruleEvidence, type RuleCode, type Severity } from '#core/rules.ts';
import { plural } from '#core/text.ts';

export interface Totals {
  files: number;
  lines: number;
  error: number;
  warning: number;
  info: number;
  hint: number;
}

export interface Reporter {
  beginFile(name: string): void;
  report(d: Diagnostic): void;
  endFile(): void;
  end(totals: Totals): void;
  /** Instead of endFile and end when the file begun cannot be read to its end: the report is closed, valid, with the reason. */
  fail(reason: string): void;
}

export type Write = (text: string) => void;

export const FORMATS = ['stylish', 'json', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

export function createReporter(format: Format, write: Write, options: { color: boolean; version: string }): Reporter {
  switch (format) {
    case 'json':
      return new JsonReporter(write);
    case 'sarif':
      return new SarifReporter(write, options.version);
    default:
      return new StylishReporter(write, options.color);
  }
}

const COLORS: Record<Severity | 'dim' | 'bold', string> = {
  error: '\x1b[31m',
  warning: '\x1b[33m',
  info: '\x1b[36m',
  hint: '\x1b[2m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
};
const RESET = '\x1b[0m';

/** `path:line:col  severity  message  code`, one line each, then a summary. */
class StylishReporter implements Reporter {
  private file = '';
  constructor(
    private readonly write: Write,
    private readonly color: boolean,
  ) {}

  private paint(style: keyof typeof COLORS, text: string): string {
    return this.color ? COLORS[style] + text + RESET : text;
  }

  beginFile(name: string): void {
    this.file = name === '-' ? '<stdin>' : visible(name);
  }

  report(d: Diagnostic): void {
    const where = `${this.file}:${d.line + 1}:${d.startChar + 1}`;
    this.write(
      `${where}  ${this.paint(d.severity, d.severity)}  ${visible(d.message)}  ${this.paint('dim', d.code)}\n`,
    );
  }

  endFile(): void {}

  /** No summary: the run did not finish; the reason goes to stderr. */
  fail(): void {}

  end(t: Totals): void {
    const problems = t.error + t.warning + t.info + t.hint;
    const checked = `${plural(t.files, 'file')}, ${plural(t.lines, 'line')}`;
    if (problems === 0) {
      this.write(`${this.paint('bold', '✔')} ${checked}: no problems\n`);
      return;
    }
    const parts = [plural(t.error, 'error'), plural(t.warning, 'warning'), plural(t.info, 'info', 'infos')];
    if (t.hint > 0) parts.push(plural(t.hint, 'hint'));
    const level = t.error > 0 ? 'error' : t.warning > 0 ? 'warning' : 'info';
    const mark = this.paint(level, level === 'error' ? '✖' : level === 'warning' ? '⚠' : 'ℹ');
    this.write(`\n${mark} ${plural(problems, 'problem')} (${parts.join(', ')}) in ${checked}\n`);
  }
}

/**
 * Control characters a message quotes from a line (a NUL in a key) written as `U+0000`: raw, they would reach the
 * terminal (C1 `U+009B` starts an escape sequence), and a NUL makes grep take the output for binary.
 */
const visible = (text: string): string =>
  text.replace(/\p{Cc}/gu, (c) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);

/** `[{"file": …, "diagnostics": [{line, column, endLine, endColumn, severity, code, message}]}]` and nothing else. */
class JsonReporter implements Reporter {
  private files = 0;
  private inFile = 0;
  constructor(private readonly write: Write) {
    write('[');
  }

  beginFile(name: string): void {
    this.write(`${this.files++ > 0 ? ',' : ''}\n{"file":${JSON.stringify(name)},"diagnostics":[`);
    this.inFile = 0;
  }

  report(d: Diagnostic): void {
    const entry = {
      line: d.line + 1,
      column: d.startChar + 1,
      endLine: d.line + 1,
      endColumn: d.endChar + 1,
      severity: d.severity,
      code: d.code,
      message: d.message,
    };
    this.write((this.inFile++ > 0 ? ',\n' : '\n') + JSON.stringify(entry));
  }

  endFile(reason?: string): void {
    this.write(`${this.inFile > 0 ? '\n]' : ']'}${reason === undefined ? '' : `,"error":${JSON.stringify(reason)}`}}`);
  }

  end(): void {
    this.write(this.files > 0 ? '\n]\n' : ']\n');
  }

  fail(reason: string): void {
    this.endFile(reason);
    this.end();
  }
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
  hint: 'note',
};

/** SARIF 2.1.0 as GitHub code scanning reads it: one run, every rule described, results by rule index. */
class SarifReporter implements Reporter {
  private results = 0;
  private artifact: SarifArtifact = { uri: '' };

  constructor(
    private readonly write: Write,
    version: string,
  ) {
    write(sarifHead(version));
  }

  beginFile(name: string): void {
    this.artifact = sarifArtifact(name);
  }

  report(d: Diagnostic): void {
    const result = sarifResult(d, this.artifact, {
      startLine: d.line + 1,
      startColumn: d.startChar + 1,
      endLine: d.line + 1,
      endColumn: d.endChar + 1,
    });
    this.write((this.results++ > 0 ? ',\n' : '\n') + JSON.stringify(result));
  }

  endFile(): void {}

  end(): void {
    this.write(SARIF_END);
  }

  /** SARIF's own way to say a run failed: an invocation that did not succeed, with the reason as its notification. */
  fail(reason: string): void {
    const invocation = {
      executionSuccessful: false,
      toolExecutionNotifications: [{ level: 'error', message: { text: reason } }],
    };
    this.write(`],"invocations":[${JSON.stringify(invocation)}]}]}\n`);
  }
}

const ruleIndex = new Map(RULE_CODES.map((code, i) => [code, i]));

/**
 * A SARIF log of one dtmetrics run as JSON text, up to its empty results array, every rule described: the results
 * are written after it, separated by commas, and SARIF_END closes it. Streamed, so that no report sits in memory.
 */
export function sarifHead(version: string): string {
  const rules = RULE_CODES.map((code) => {
    const rule = RULES[code] as { title: string; severity: Severity; docs?: string };
    const help = (format: CitationFormat) => {
      const { evidence, decision } = ruleEvidence(code, format);
      return decision ? `${evidence}\n\nDecision: ${decision}` : evidence;
    };
    const text = help('text');
    return {
      id: code,
      name: code,
      shortDescription: { text: rule.title },
      fullDescription: { text },
      help: { text, markdown: help('markdown') },
      ...(rule.docs ? { helpUri: rule.docs } : {}),
      defaultConfiguration: { level: SARIF_LEVEL[rule.severity] },
    };
  });
  const head = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'dtmetrics',
            version,
            semanticVersion: version,
            informationUri: 'https://docs.dynatrace.com/docs/shortlink/metric-ingestion-protocol',
            rules,
          },
        },
        columnKind: 'utf16CodeUnits',
        results: [],
      },
    ],
  };
  const json = JSON.stringify(head);
  return json.slice(0, json.lastIndexOf('[]') + 1);
}

/** What closes a log sarifHead began. */
export const SARIF_END = ']}]}\n';

type SarifArtifact = { uri: string; uriBaseId?: string };

/** An input as SARIF names it: `stdin` for `-`, a path relative to %SRCROOT% (the working directory), or a file URI. */
export function sarifArtifact(name: string): SarifArtifact {
  if (name === '-') return { uri: 'stdin', uriBaseId: '%SRCROOT%' };
  const uri = toUri(name);
  return uri.startsWith('file:') ? { uri } : { uri, uriBaseId: '%SRCROOT%' };
}

/** A result; `region` null where the place in the input is not known (standard input is not read twice). */
export function sarifResult(
  finding: { code: RuleCode; severity: Severity; message: string },
  artifact: SarifArtifact,
  region: { startLine: number; startColumn: number; endLine: number; endColumn: number } | null,
) {
  return {
    ruleId: finding.code,
    ruleIndex: ruleIndex.get(finding.code),
    level: SARIF_LEVEL[finding.severity],
    message: { text: finding.message },
    locations: [{ physicalLocation: { artifactLocation: artifact, ...(region === null ? {} : { region }) } }],
  };
}

/** A relative path as a URI reference with `/` separators (what %SRCROOT% resolves against), or a file URI. */
function toUri(path: string): string {
  if (isAbsolute(path)) return pathToFileURL(path).href;
  return path
    .split(sep)
    .filter((part) => part !== '.')
    .map(encodeURIComponent)
    .join('/');
}
