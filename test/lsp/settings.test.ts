/**
 * package.json declares every `dtmetrics.*` setting with a default, and VS Code hands those defaults out: they must
 * be the code's own, the language server's (DEFAULT_SETTINGS, whose limits are the limits table's) and the
 * extension's (SETTING_DEFAULTS), and the values the schema offers must be the ones the code takes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { SETTING_DEFAULTS } from '#client/setting-defaults.ts';
import { LIMITS, RULE_CODES, SEVERITY_SETTINGS } from '#core/rules.ts';
import { DEFAULT_SETTINGS, readSettings, STATS_SETTING_DEFAULTS } from '#lsp/settings.ts';

interface Declared {
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  additionalProperties?: { enum?: unknown[] };
}

const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Declared> } };
};
const declared = manifest.contributes.configuration.properties;

/** Every setting the code reads, with the default it has in the code and where that default is. */
const CODE_DEFAULTS = new Map<string, { value: unknown; where: string }>([
  ...Object.entries({ ...DEFAULT_SETTINGS, stats: undefined, ...STATS_SETTING_DEFAULTS })
    .filter(([name]) => name !== 'stats')
    .map(([name, value]) => [`dtmetrics.${name}`, { value, where: 'server/src/lsp/settings.ts' }] as const),
  ...Object.entries(SETTING_DEFAULTS).map(
    ([name, value]) => [`dtmetrics.${name}`, { value, where: 'client/src/setting-defaults.ts' }] as const,
  ),
]);

test('package.json declares exactly the settings the code reads', () => {
  assert.deepEqual(Object.keys(declared).sort(), [...CODE_DEFAULTS.keys()].sort());
});

test("package.json's defaults are the code's, and lie within the values it declares", () => {
  const wrong: string[] = [];
  for (const [name, setting] of Object.entries(declared)) {
    const code = CODE_DEFAULTS.get(name);
    const shown = `package.json ${JSON.stringify(setting.default)}`;
    if (code && !isDeepStrictEqual(setting.default, code.value))
      wrong.push(`${name}: ${shown}, ${code.where} ${JSON.stringify(code.value)}`);
    if (setting.enum && !setting.enum.includes(setting.default))
      wrong.push(`${name}: ${shown}, not one of its enum ${JSON.stringify(setting.enum)}`);
    const n = setting.default as number;
    if (
      (setting.minimum !== undefined && n < setting.minimum) ||
      (setting.maximum !== undefined && n > setting.maximum)
    )
      wrong.push(`${name}: ${shown}, outside [${setting.minimum}, ${setting.maximum}]`);
  }
  assert.deepEqual(wrong, []);
});

test('the limits the server takes as settings default to the limits table', () => {
  for (const name of ['cardinalityBudget', 'metricKeyMaxLength', 'dimensionValueMaxLength'] as const) {
    assert.equal(DEFAULT_SETTINGS[name], LIMITS[name], name);
  }
});

test('the server takes every value the schema offers, and its least number, and falls back on others', () => {
  for (const value of declared['dtmetrics.timestampWindow']?.enum ?? []) {
    assert.equal(
      readSettings({ timestampWindow: value }).timestampWindow,
      value,
      `dtmetrics.timestampWindow: ${String(value)}`,
    );
  }
  for (const value of declared['dtmetrics.severities']?.additionalProperties?.enum ?? []) {
    assert.deepEqual(
      readSettings({ severities: { [RULE_CODES[0] as string]: value } }).severities,
      { [RULE_CODES[0] as string]: value },
      `dtmetrics.severities: ${String(value)}`,
    );
  }
  assert.deepEqual(
    readSettings({ severities: { MK006: 'fatal' } }).severities,
    {},
    'a severity the schema does not offer',
  );
  for (const name of [
    'cardinalityBudget',
    'metricKeyMaxLength',
    'dimensionValueMaxLength',
    'maxDiagnostics',
  ] as const) {
    const least = declared[`dtmetrics.${name}`]?.minimum;
    assert.ok(least !== undefined, `dtmetrics.${name} declares a minimum`);
    assert.equal(readSettings({ [name]: least })[name], least, `dtmetrics.${name} at its minimum ${least}`);
  }
});

test('dtmetrics.severities takes the severities `--rule` takes (core/rules.ts), the ones package.json offers, and no other', () => {
  assert.deepEqual(
    manifest.contributes.configuration.properties['dtmetrics.severities']?.additionalProperties?.enum,
    SEVERITY_SETTINGS,
  );
  for (const [severity, kept] of [
    ...SEVERITY_SETTINGS.map((s) => [s, true] as const),
    ['fatal', false],
    ['Error', false],
    ['', false],
    [7, false],
    [null, false],
  ] as const) {
    assert.deepEqual(
      readSettings({ severities: { mk002: severity } }).severities,
      kept ? { MK002: severity } : {},
      String(severity),
    );
  }
});

test('the stats settings as package.json declares them read as their defaults; bad values fall back', () => {
  const declaredForm = { interval: '1m', pricePerPoint: null, codeLens: true };
  assert.deepEqual(readSettings({ stats: declaredForm }).stats, DEFAULT_SETTINGS.stats);
  assert.deepEqual(readSettings({ stats: { interval: '5m', pricePerPoint: 0.0000015, codeLens: false } }).stats, {
    intervalMs: 300_000,
    pricePerPoint: 0.0000015,
    codeLens: false,
  });
  assert.deepEqual(readSettings({ stats: { interval: 'often', pricePerPoint: -1 } }).stats, DEFAULT_SETTINGS.stats);
});
