import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderRulesDoc, RULES_DOC } from '../../scripts/rules-doc.ts';
import { RULE_CODES } from '#core/rules.ts';

test('docs/rules.md is generated from the current rule table and fixtures', () => {
  assert.equal(
    readFileSync(RULES_DOC, 'utf8'),
    renderRulesDoc(),
    'docs/rules.md is out of date: run `npm run docs:rules`',
  );
});

test('docs/rules.md documents every code with an example it flags and one it accepts', () => {
  const sections = renderRulesDoc().split('\n### ');
  for (const code of RULE_CODES) {
    const section = sections.find((s) => s.startsWith(`${code}:`)) ?? '';
    assert.match(section, /Flagged: `` .*\S.* ``/, `${code} has no flagged example`);
    assert.match(section, /Accepted: `` .*\S.* ``/, `${code} has no accepted example`);
  }
});
