/**
 * The command palette as package.json contributes it: every title in Title Case, and every command either
 * meaningful wherever the extension is, or shown only where it means something, by a `when` clause that reads the
 * editor's own context or a key the extension sets (client/src/context-keys.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTEXT_KEYS } from '#client/context-keys.ts';

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: { commandPalette: { command: string; when?: string }[] };
  };
}

const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as Manifest;
const { commands, menus } = manifest.contributes;

/** Commands that mean something in any window, and why. */
const ALWAYS = new Map([
  ['dtmetrics.selectEnvironment', 'the local tenant is always there to select'],
  ['dtmetrics.addEnvironment', 'adding is how a first environment comes'],
  ['dtmetrics.testConnection', 'the selected environment, the local tenant at least, can be tested'],
  ['dtmetrics.queryMetric', 'a query can go to any environment, with keys typed'],
  ['dtmetrics.showIngestInspector', 'the inspector opens in any window: it offers to start the local tenant'],
  ['dtmetrics.cardinalityScope', "the workspace's figures need no file open"],
  ['dtmetrics.refreshCardinality', "the view shows in any window, a tenant's figures with no file open"],
  [
    'dtmetrics.convertToMetricLines',
    'the clipboard can be converted in any window, the selection or file in any editor',
  ],
]);

/** The editor's own context keys a clause may read besides ours. */
const EDITOR_KEYS = new Set(['editorLangId', 'resourceExtname']);

/** Short words Title Case leaves in lower case after the first word ("Convert to Metric Lines", "Go to Definition"). */
const MINOR_WORDS = new Set(['a', 'an', 'the', 'to', 'as', 'of', 'in', 'on', 'for', 'and', 'or']);

test('every command title is in Title Case, with a category', () => {
  const wrong = commands.filter(
    ({ title, category }) =>
      category !== 'dtmetrics' ||
      !title.split(' ').every((word, i) => /^[A-Z]/.test(word) || (i > 0 && MINOR_WORDS.has(word))),
  );
  assert.deepEqual(wrong, []);
});

test('every command is meaningful everywhere, or has a when clause in the command palette', () => {
  const clauses = new Map(menus.commandPalette.map((entry) => [entry.command, entry.when]));
  const declared = new Set(commands.map((c) => c.command));
  assert.deepEqual(
    [...clauses.keys()].filter((command) => !declared.has(command)),
    [],
    'a clause for a command not declared',
  );
  assert.deepEqual(menus.commandPalette.length, clauses.size, 'a command has more than one palette entry');
  const unexplained = commands
    .map((c) => c.command)
    .filter((command) => ALWAYS.has(command) === (clauses.get(command) !== undefined));
  assert.deepEqual(unexplained, [], 'each command either in ALWAYS or with a when clause, not both, not neither');
});

test("every when clause reads the editor's context or a key the extension sets", () => {
  const ours = new Set<string>(Object.values(CONTEXT_KEYS));
  for (const { command, when } of menus.commandPalette) {
    assert.ok(when, command);
    // Keys are the names a clause compares or tests; values after == or != are not.
    const keys = when.split(/&&|\|\|/).map(
      (part) =>
        part
          .trim()
          .replace(/^!/, '')
          .split(/\s*[!=]=\s*/)[0] ?? '',
    );
    for (const key of keys)
      assert.ok(ours.has(key) || EDITOR_KEYS.has(key), `${command}: '${key}' in '${when}' is no key anyone sets`);
  }
});

test("the local tenant's Start and Stop: shown before its state is known, then only the one that applies", () => {
  const clause = (command: string) => menus.commandPalette.find((entry) => entry.command === command)?.when;
  // The clauses as VS Code reads them, for each value the key takes (undefined: not looked at yet).
  const shown = (when: string | undefined, value: string | undefined) =>
    (when ?? '').split('&&').every((part) => {
      const [, key, operator, expected] = /^\s*(\S+)\s*(==|!=)\s*(\S+)\s*$/.exec(part) ?? [];
      assert.equal(key, CONTEXT_KEYS.localTenant, part);
      return operator === '==' ? value === expected : value !== expected;
    });
  const start = clause('dtmetrics.startLocalTenant');
  const stop = clause('dtmetrics.stopLocalTenant');
  assert.deepEqual(
    [undefined, 'stopped', 'started', 'elsewhere'].map((value) => [value, shown(start, value), shown(stop, value)]),
    [
      [undefined, true, true],
      ['stopped', true, false],
      ['started', false, true],
      // Started by another window or a terminal: neither is for this window to do.
      ['elsewhere', false, false],
    ],
  );
});
