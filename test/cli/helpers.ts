/**
 * Shared helpers for the CLI tests: running the BUILT binary (dist/cli.js, from `npm run build`) as a child process,
 * exactly as a user or CI would (in-process.ts runs the commands in this process), and reading what they print.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import Ajv, { type ValidateFunction } from 'ajv';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

/** The instant every fixture's timestamps are checked against: 2024-11-22T18:26:40Z. */
export const NOW = 1_732_300_000_000;

export function assertBuilt(): void {
  assert.ok(existsSync(CLI), `${CLI} is missing: run 'npm run build' before these tests`);
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** Written to the child's standard input, which is then closed; without it stdin is closed at once. */
  stdin?: string | Uint8Array;
  /** Added to a clean environment (no FORCE_COLOR, NO_COLOR, NODE_OPTIONS or test-runner variables). */
  env?: Record<string, string>;
  /** Arguments for `node` itself, before the script. */
  nodeArgs?: string[];
  /** The command and arguments that start node (default: this node); e.g. setpriv … to run as another user. */
  prefix?: string[];
  /** The script to run (default: dist/cli.js). */
  script?: string;
  /** An executable to run instead of node and a script (an installed `dtmetrics`, started by its shebang). */
  command?: string;
}

/** An environment without the variables that would change colour or how node starts. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const unwanted = /^(FORCE_COLOR|NO_COLOR|NODE_OPTIONS|NODE_TEST_CONTEXT|NODE_CHANNEL_FD|DTMETRICS_.*|TERM)$/;
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !unwanted.test(name)));
  return { ...env, ...extra };
}

/** Spawns `node [nodeArgs] dist/cli.js args…` (or `command args…`) and collects everything it prints. */
export function spawnCli(args: string[], options: RunOptions = {}) {
  const [command, ...pre] = options.command
    ? [options.command]
    : [...(options.prefix ?? [process.execPath]), ...(options.nodeArgs ?? []), options.script ?? CLI];
  assert.ok(command);
  return spawn(command, [...pre, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export async function collect(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function runCli(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const child = spawnCli(args, options);
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  child.stdin.on('error', () => {}); // the CLI may exit (usage error) before it reads its input
  if (options.stdin !== undefined) child.stdin.end(options.stdin);
  else child.stdin.end();
  const [code, signal] = await exited;
  return { code, signal, stdout: await stdout, stderr: await stderr };
}

/** Writes `chunks` to a child's stdin with back-pressure, stopping early if the child has gone. */
export async function feed(
  stdin: Writable,
  chunks: Iterable<Uint8Array | string>,
  gone: Promise<unknown>,
): Promise<void> {
  let closed = false;
  void gone.then(() => (closed = true));
  stdin.on('error', () => (closed = true));
  for (const chunk of chunks) {
    if (closed) return;
    if (!stdin.write(chunk)) await Promise.race([once(stdin, 'drain'), gone]);
  }
  stdin.end();
}

// ------------------------------------------------------------------ output shapes

export interface JsonDiagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning' | 'info' | 'hint';
  code: string;
  message: string;
}

export interface JsonFile {
  file: string;
  diagnostics: JsonDiagnostic[];
  /** Only where the file could not be read to its end: why (the run then exits 2). */
  error?: string;
}

export const FILE_KEYS = ['file', 'diagnostics'];
const FILE_KEYS_CUT_SHORT = ['file', 'diagnostics', 'error'];
export const DIAGNOSTIC_KEYS = ['line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message'];
export const SEVERITIES = ['error', 'warning', 'info', 'hint'];

/**
 * Parses `--format json` output and checks its exact shape: an array of {file, diagnostics} objects whose
 * diagnostics have exactly the documented keys, in order, with the documented types.
 */
export function parseJsonReport(stdout: string): JsonFile[] {
  let report: unknown;
  assert.doesNotThrow(
    () => (report = JSON.parse(stdout)),
    `stdout is not JSON and nothing else:\n${stdout.slice(0, 2000)}`,
  );
  assert.ok(Array.isArray(report), 'the report is an array');
  for (const file of report as Record<string, unknown>[]) {
    assert.ok(file !== null && typeof file === 'object' && !Array.isArray(file), 'each file entry is an object');
    const keys = Object.keys(file);
    assert.deepEqual(
      keys,
      keys.length === FILE_KEYS_CUT_SHORT.length ? FILE_KEYS_CUT_SHORT : FILE_KEYS,
      'a file entry has exactly the keys file, diagnostics (and error), in that order',
    );
    if (keys.includes('error'))
      assert.ok(typeof file.error === 'string' && file.error.length > 0, '"error" is a non-empty string');
    assert.equal(typeof file.file, 'string');
    assert.ok(Array.isArray(file.diagnostics), '"diagnostics" is an array');
    for (const d of file.diagnostics as Record<string, unknown>[]) {
      assert.deepEqual(
        Object.keys(d),
        DIAGNOSTIC_KEYS,
        `a diagnostic has exactly the keys ${DIAGNOSTIC_KEYS.join(', ')}, in that order`,
      );
      for (const key of ['line', 'column', 'endLine', 'endColumn']) {
        const n = d[key];
        assert.ok(Number.isInteger(n) && (n as number) >= 1, `${key} is a 1-based integer, got ${JSON.stringify(n)}`);
      }
      assert.ok(
        (d.endLine as number) > (d.line as number) || (d.endColumn as number) >= (d.column as number),
        'the range does not end before it starts',
      );
      assert.ok(
        SEVERITIES.includes(d.severity as string),
        `severity is one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(d.severity)}`,
      );
      assert.match(d.code as string, /^[A-Z]{2}\d{3}$/);
      assert.ok(typeof d.message === 'string' && d.message.length > 0, 'message is a non-empty string');
    }
  }
  return report as JsonFile[];
}

/** `{line, column, endColumn, code}` of each diagnostic, for comparing positions across inputs and formats. */
/** A line of `--format stylish`: `path:line:col  severity  message  code`. */
export const STYLISH_LINE = /^(.+):(\d+):(\d+) {2}(error|warning|info|hint) {2}(.+) {2}([A-Z]{2}\d{3})$/;

const SARIF_SCHEMA_PATH = join(
  ROOT,
  'node_modules',
  '@microsoft',
  'jest-sarif',
  'lib',
  'schemas',
  'sarif-2.1.0-rtm.5.json',
);

/**
 * The official SARIF 2.1.0 schema as a validator. It declares draft-04 (`id`, a draft-04 `$schema`), which ajv 8
 * does not load; it uses no keyword whose meaning changed in draft-07, so it is compiled as draft-07 without those
 * two fields.
 */
export function sarifValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(SARIF_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  delete schema.id;
  // unicodeRegExp: false because the schema's `language` pattern (`…{2}]?$`) is not valid with the `u` flag.
  const ajv = new Ajv({ allErrors: true, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => !/\s/.test(s) && URL.canParse(s, 'file:///base/'));
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)));
  return ajv.compile(schema);
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level?: string;
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId?: string };
      /** None where the place is not known (`dtmetrics stats` on standard input). */
      region?: { startLine: number; startColumn: number; endLine?: number; endColumn?: number };
    };
  }[];
}

export interface SarifLog {
  version: string;
  runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: SarifResult[] }[];
}

/** What GitHub code scanning requires of a SARIF upload, beyond the schema. */
export function assertGitHubReady(log: SarifLog): void {
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1, 'one run');
  const run = log.runs[0];
  assert.ok(run);
  assert.equal(typeof run.tool.driver.name, 'string');
  assert.ok(run.tool.driver.name.length > 0, 'tool.driver.name');
  const rules = run.tool.driver.rules;
  assert.ok(Array.isArray(rules) && rules.length > 0, 'tool.driver.rules');
  assert.equal(new Set(rules.map((r) => r.id)).size, rules.length, 'rule ids are unique');
  for (const result of run.results) {
    assert.ok(Number.isInteger(result.ruleIndex), `${result.ruleId}: ruleIndex is an integer`);
    assert.equal(
      rules[result.ruleIndex]?.id,
      result.ruleId,
      `${result.ruleId}: ruleIndex ${result.ruleIndex} points at its rule`,
    );
    assert.ok(result.message.text.length > 0);
    assert.equal(result.locations.length, 1);
    const { artifactLocation, region } = result.locations[0]?.physicalLocation ?? assert.fail('physicalLocation');
    assert.ok(
      !/^[a-z][a-z0-9+.-]*:/i.test(artifactLocation.uri),
      `artifactLocation.uri ${artifactLocation.uri} is relative`,
    );
    assert.ok(!artifactLocation.uri.includes('\\'), 'forward slashes');
    assert.ok(
      !artifactLocation.uri.startsWith('/') && !artifactLocation.uri.startsWith('./'),
      `${artifactLocation.uri} is a plain relative reference`,
    );
    assert.equal(typeof artifactLocation.uriBaseId, 'string', 'uriBaseId');
    if (region === undefined) continue;
    assert.ok(Number.isInteger(region.startLine) && region.startLine >= 1, 'startLine is 1-based');
    assert.ok(Number.isInteger(region.startColumn) && region.startColumn >= 1, 'startColumn is 1-based');
  }
}

export function positions(file: JsonFile | undefined): string[] {
  assert.ok(file, 'the file is in the report');
  return file.diagnostics.map((d) => `${d.line}:${d.column}-${d.endLine}:${d.endColumn} ${d.severity} ${d.code}`);
}

/** Exit code 2 and exactly one line on stderr, starting `dtmetrics: `, with no stack trace. */
export function assertUsageError(result: RunResult, mentions?: string | RegExp): void {
  const context = `stdout: ${JSON.stringify(result.stdout.slice(0, 500))}\nstderr: ${JSON.stringify(result.stderr.slice(0, 2000))}`;
  assert.equal(result.code, 2, `exit code 2\n${context}`);
  assert.match(
    result.stderr,
    /^dtmetrics( [a-z]+)?: [^\n]+\n$/,
    `one line on stderr starting 'dtmetrics: ' or 'dtmetrics <command>: '\n${context}`,
  );
  assert.doesNotMatch(
    result.stderr,
    /\n\s+at |internal error|Error:|node:internal/,
    `no stack trace or internal error\n${context}`,
  );
  if (typeof mentions === 'string')
    assert.ok(result.stderr.includes(mentions), `stderr mentions ${JSON.stringify(mentions)}\n${context}`);
  else if (mentions) assert.match(result.stderr, mentions, context);
}

// ------------------------------------------------------------------ temp files

/** A fresh directory under os.tmpdir(); `remove()` deletes it. */
export class TempDir {
  readonly path: string;
  constructor(prefix = 'dtmetrics-cli-') {
    this.path = mkdtempSync(join(tmpdir(), prefix));
  }

  /** Writes a file (creating its folders) at a path relative to the temp dir; returns the relative path. */
  write(relative: string, content: string | Uint8Array): string {
    const full = join(this.path, relative);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    return relative;
  }

  join(...parts: string[]): string {
    return join(this.path, ...parts);
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
