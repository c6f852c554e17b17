/**
 * Citations resolve inside the repository: every tag in the code, tests, scripts, bench and docs names an entry of
 * docs/evidence.md (the table in server/src/core/evidence.ts), every entry that should link somewhere does, the
 * page is current, and what users read (hover, docs/rules.md, SARIF) shows links, never tags.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EVIDENCE, evidenceEntry, readCitations, renderCitations, type EvidenceEntry } from '#core/evidence.ts';
import { RULE_CODES, RULES, ruleEvidence } from '#core/rules.ts';
import { EVIDENCE_DOC, evidenceAnchor, renderEvidenceDoc } from '../../scripts/evidence-doc.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SCANNED = ['server/src', 'client/src', 'scripts', 'bench', 'test', 'docs', 'README.md', 'ARCHITECTURE.md'];
/** The grammar's own source and its cases below write tags as patterns and as deliberate mistakes. */
const GRAMMAR_FILES = new Set(['server/src/core/evidence.ts', 'test/core/evidence.test.ts']);
const SKIPPED_DIRS = new Set(['node_modules', '.data', 'screenshots']);

function* textFiles(path: string): Generator<string> {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) if (!SKIPPED_DIRS.has(name)) yield* textFiles(join(path, name));
    return;
  }
  const bytes = readFileSync(path);
  if (!bytes.subarray(0, 8000).includes(0)) yield path;
}

const entries = Object.entries(EVIDENCE) as [string, EvidenceEntry][];

/** [text, the ids it cites, the dangling texts]. */
const GRAMMAR: [string, string[], string[]][] = [
  ['DOC D1, D4: only the first occurrence', ['DOC D1', 'DOC D4'], []],
  ['DOC D2/D14 `dt.process.id`; the D3 limits table and DOC D1-old', ['DOC D2', 'DOC D14', 'DOC D3', 'DOC D1-old'], []],
  [
    "real tenants rejected it (OBS #2295, #4058, #5037: 'invalid metric key')",
    ['OBS #2295', 'OBS #4058', 'OBS #5037'],
    [],
  ],
  [
    'LIB Java, LIB .NET and LIB gcp-monitor; LIB only; LIB Javascript',
    ['LIB Java', 'LIB .NET', 'LIB gcp-monitor', 'LIB', 'LIB'],
    [],
  ],
  ['INF: not documented [INF]', ['INF', 'INF'], []],
  [
    'PROTOCOL §6, §7; PROTOCOL §1.1 grammar, §2.1 and INGEST-PATHS §2.3, §2.1',
    ['PROTOCOL §6', 'PROTOCOL §7', 'PROTOCOL §1.1', 'PROTOCOL §2.1', 'INGEST-PATHS §2.3', 'INGEST-PATHS §2.1'],
    [],
  ],
  ['RFC 9110 §12.5.1 and RFC 4180; VSCODE-TESTING', ['RFC 9110', 'RFC 4180', 'VSCODE-TESTING'], []],
  ['DOCS.protocol, <!DOCTYPE html>, PROXY_PROTOCOLS, UNKNOWN_PROTOCOL, PR #12, #13, Inf', [], []],
  [
    'evidence is ../shared/PROTOCOL.md, or shared/VSCODE-TESTING.md',
    [],
    ['../shared/PROTOCOL.md', 'shared/VSCODE-TESTING.md'],
  ],
  ['(PROTOCOL.md §2.4; see §4.2)', [], ['PROTOCOL.md', '§', '§']],
  ['ApiToken (DOC), OBS micrometer #2295', [], ['DOC', 'OBS']],
  ['DOC D99 and OBS #1', ['DOC D99', 'OBS #1'], []],
];

test('the citation grammar: ids, lists and mistakes', () => {
  for (const [text, ids, dangling] of GRAMMAR) {
    const found = readCitations(text);
    assert.deepEqual(
      found.citations.map((c) => c.id),
      ids,
      text,
    );
    assert.deepEqual(
      found.dangling.map((d) => d.text),
      dangling,
      text,
    );
  }
});

/** [text, markdown, plain text]. */
const RENDERED: [string, string, string][] = [
  [
    'DOC D1: a line starts with the key.',
    '[Dynatrace docs: Metric ingestion protocol](https://docs.dynatrace.com/docs/shortlink/metric-ingestion-protocol): a line starts with the key.',
    'Dynatrace docs: Metric ingestion protocol (https://docs.dynatrace.com/docs/shortlink/metric-ingestion-protocol): a line starts with the key.',
  ],
  [
    'refused (OBS #2295, #4058).',
    "refused ([micrometer#2295, a tenant's answers (Dec 2020)](https://github.com/micrometer-metrics/micrometer/issues/2295), [micrometer#4058, a tenant's answer (Sep 2023)](https://github.com/micrometer-metrics/micrometer/issues/4058)).",
    "refused (micrometer#2295, a tenant's answers (Dec 2020) (https://github.com/micrometer-metrics/micrometer/issues/2295), micrometer#4058, a tenant's answer (Sep 2023) (https://github.com/micrometer-metrics/micrometer/issues/4058)).",
  ],
  [
    'Not documented [INF]. INF: it is rejected.',
    'Not documented (unverified inference). Unverified inference: it is rejected.',
    'Not documented (unverified inference). Unverified inference: it is rejected.',
  ],
  ['D99 and OBS #1, #2 stay as written.', 'D99 and OBS #1, #2 stay as written.', 'D99 and OBS #1, #2 stay as written.'],
];

test('a citation renders as a link to its source, the sentence around it unchanged', () => {
  for (const [text, markdown, plain] of RENDERED) {
    assert.equal(renderCitations(text, 'markdown'), markdown);
    assert.equal(renderCitations(text, 'text'), plain);
  }
});

test('every citation in the repository names an entry of docs/evidence.md', () => {
  const failures: string[] = [];
  const cited = new Set<string>();
  for (const root of SCANNED) {
    for (const file of textFiles(join(ROOT, root))) {
      const name = relative(ROOT, file);
      if (GRAMMAR_FILES.has(name)) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const { citations, dangling } = readCitations(line);
          for (const c of citations) {
            cited.add(c.id);
            if (!evidenceEntry(c.id))
              failures.push(`${name}:${i + 1}: \`${line.slice(c.start, c.end)}\` names no entry of docs/evidence.md`);
          }
          for (const d of dangling) failures.push(`${name}:${i + 1}: \`${d.text}\`: ${d.reason}`);
        });
    }
  }
  assert.deepEqual(failures, [], `dangling citations:\n${failures.join('\n')}`);
  assert.ok(cited.size > 50, `the scan found only ${cited.size} distinct ids: does it still read the files?`);
  const basis = new Set(entries.flatMap(([, e]) => e.basis ?? []));
  const unused = entries.map(([id]) => id).filter((id) => !cited.has(id) && !basis.has(id));
  assert.deepEqual(unused, [], 'entries nothing cites');
});

test('every entry links to its source, except our notes and inference, which name what they rest on', () => {
  for (const [id, entry] of entries) {
    if (entry.kind === 'notes') {
      assert.ok((entry.basis ?? []).length > 0, `${id}: a summary of notes names the sources it rests on`);
      for (const b of entry.basis ?? [])
        assert.ok(
          b.startsWith('https://') || (evidenceEntry(b) && evidenceEntry(b)?.kind !== 'notes'),
          `${id}: its basis ${b} is a URL or a source entry`,
        );
    } else if (entry.kind !== 'inference') {
      assert.match(entry.url ?? '', /^https:\/\/[^\s)]+$/, `${id}: an https URL`);
    }
    if (entry.kind === 'library' && id !== 'LIB')
      assert.ok(entry.ref && (entry.files ?? []).length > 0, `${id}: the commit and the files read`);
    assert.ok(
      entry.about.length > 0 && !entry.title.includes(']'),
      `${id}: a title that can be link text, and what it says`,
    );
  }
  const anchors = entries.map(([id]) => evidenceAnchor(id));
  assert.equal(new Set(anchors).size, anchors.length, 'anchors are unique');
});

test('docs/evidence.md is generated from the current evidence table', () => {
  assert.equal(
    readFileSync(EVIDENCE_DOC, 'utf8'),
    renderEvidenceDoc(),
    'docs/evidence.md is out of date: run `npm run docs:rules`',
  );
});

test('users read links, never tags: every rule cites sources that have a page, and shows them as links', () => {
  for (const code of RULE_CODES) {
    const rule = RULES[code] as { evidence: string; decision?: string };
    for (const c of readCitations(rule.evidence + '\n' + (rule.decision ?? '')).citations) {
      assert.notEqual(
        evidenceEntry(c.id)?.kind,
        'notes',
        `${code} cites ${c.id}, which users cannot open: cite its sources`,
      );
    }
    for (const format of ['markdown', 'text'] as const) {
      const { evidence, decision } = ruleEvidence(code, format);
      const shown = readCitations(`${evidence}\n${decision ?? ''}`);
      assert.deepEqual(
        [...shown.citations.map((c) => c.id), ...shown.dangling.map((d) => d.text)],
        [],
        `${code} (${format}) shows no tag`,
      );
    }
    const linked = readCitations(rule.evidence).citations.filter((c) => evidenceEntry(c.id)?.url);
    const markdown = ruleEvidence(code, 'markdown').evidence;
    for (const c of linked)
      assert.ok(markdown.includes(`](${evidenceEntry(c.id)?.url})`), `${code}: ${c.id} is a link`);
  }
});
