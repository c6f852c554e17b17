/** The extension declares the settings the language server reads: their defaults must be the server's own. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS } from '#lsp/settings.ts';

const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
};

test("package.json's defaults for the server's settings are the server's defaults (the limits table's)", () => {
  const declared = manifest.contributes.configuration.properties;
  for (const [name, value] of Object.entries(DEFAULT_SETTINGS)) {
    assert.deepEqual(declared[`dtmetrics.${name}`]?.default, value, `dtmetrics.${name}`);
  }
});
