/** The extension declares the settings the language server reads: their defaults must be the server's own. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, readSettings } from '#lsp/settings.ts';
import { SEVERITY_SETTINGS } from '#core/rules.ts';

const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default?: unknown; additionalProperties?: { enum?: unknown } }> } };
};

test("package.json's defaults for the server's settings are the server's defaults (the limits table's)", () => {
  const declared = manifest.contributes.configuration.properties;
  for (const [name, value] of Object.entries(DEFAULT_SETTINGS)) {
    assert.deepEqual(declared[`dtmetrics.${name}`]?.default, value, `dtmetrics.${name}`);
  }
});

test("dtmetrics.severities takes the severities `--rule` takes (core/rules.ts), the ones package.json offers, and no other", () => {
  assert.deepEqual(manifest.contributes.configuration.properties['dtmetrics.severities']?.additionalProperties?.enum, SEVERITY_SETTINGS);
  for (const [severity, kept] of [...SEVERITY_SETTINGS.map((s) => [s, true] as const), ['fatal', false], ['Error', false], ['', false], [7, false], [null, false]] as const) {
    assert.deepEqual(readSettings({ severities: { mk002: severity } }).severities, kept ? { MK002: severity } : {}, String(severity));
  }
});
