/**
 * The language server's document (server/src/lsp/documents.ts) holds lines, not one string: after any edits its
 * lines must be those of the text the same edits make of one string (harness.ts, applyChange: the editor's text
 * model), odd positions, line breaks typed in halves and whole-text changes included. The change it gives a lint
 * must make the lines last taken into its lines, whatever edits came between, and a change given back too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LineChange } from '#core/document-linter.ts';
import { LineDocument, type ContentChange } from '#lsp/documents.ts';
import { applyChange } from './harness.ts';

const piece = fc.constantFrom('a', 'b.c 1', ',', ' ', '\n', '\r', '\r\n', '\n\r', '');
const text = fc.array(piece, { maxLength: 20 }).map((parts) => parts.join(''));
const position = fc.record({
  line: fc.oneof(fc.nat({ max: 8 }), fc.constant(1e6)),
  character: fc.oneof(fc.nat({ max: 8 }), fc.constant(1e6)),
});
const change: fc.Arbitrary<ContentChange> = fc.oneof(
  { weight: 9, arbitrary: fc.record({ range: fc.record({ start: position, end: position }), text }) },
  { weight: 1, arbitrary: fc.record({ text }) },
);

const linesOf = (text: string) => text.split(/\r\n|\r|\n/);

test('after any edits, the lines are those of the reference text model', () => {
  fc.assert(
    fc.property(
      text,
      fc.array(fc.array(change, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }),
      (initial, edits) => {
        let reference = initial;
        const doc = new LineDocument('file:///x', 1, initial);
        assert.deepEqual(doc.lines, linesOf(reference));
        edits.forEach((changes, i) => {
          for (const c of changes) {
            reference = applyChange(reference, c);
            doc.apply(c);
          }
          assert.deepEqual(doc.lines, linesOf(reference), JSON.stringify({ initial, edits: edits.slice(0, i + 1) }));
        });
      },
    ),
    { numRuns: 2000 },
  );
});

test('an edit inserting more lines than a splice takes at once, and one removing them', () => {
  const doc = new LineDocument('file:///x', 1, 'a 1\nb 2\n');
  doc.apply({
    range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
    text: 'x 1\n'.repeat(50_000),
  });
  assert.equal(doc.lineCount, 50_003);
  assert.deepEqual(
    [doc.lineAt(0), doc.lineAt(1), doc.lineAt(50_000), doc.lineAt(50_001), doc.lineAt(50_002)],
    ['a 1', 'x 1', 'x 1', 'b 2', ''],
  );
  doc.apply({ range: { start: { line: 1, character: 0 }, end: { line: 50_001, character: 0 } }, text: '' });
  assert.deepEqual(doc.lines, ['a 1', 'b 2', '']);
});

/** `lines` with `changes` (in order and apart, numbered as `lines`) made: the last first. */
function changed(lines: readonly string[], changes: readonly LineChange[]): string[] {
  const next = [...lines];
  changes.forEach((change, i) => {
    const before = changes[i - 1];
    assert.ok(!before || before.from + before.removed <= change.from, 'in order and apart');
  });
  for (const { from, removed, lines: added } of [...changes].reverse()) next.splice(from, removed, ...added);
  return next;
}

test('the changes taken after any edits make the lines taken before into the lines now; those given back are kept', () => {
  fc.assert(
    fc.property(
      text,
      fc.array(fc.record({ changes: fc.array(change, { maxLength: 3 }), take: fc.nat({ max: 2 }) }), {
        minLength: 1,
        maxLength: 12,
      }),
      (initial, rounds) => {
        const doc = new LineDocument('file:///x', 1, initial);
        // What a linter has: the lines as of the last change it took in.
        let taken: string[] = [];
        for (const { changes, take } of rounds) {
          for (const c of changes) doc.apply(c);
          if (take === 0) continue;
          const taking = doc.takeChange();
          if (take === 1) {
            // A lint stopped before it took the change in: given back, it comes again with the next.
            doc.restoreChange(taking);
            continue;
          }
          taken = changed(taken, taking);
          assert.deepEqual(taken, doc.lines, JSON.stringify({ initial, rounds }));
        }
        taken = changed(taken, doc.takeChange());
        assert.deepEqual(taken, doc.lines);
        assert.deepEqual(doc.takeChange(), [], 'nothing changed since');
      },
    ),
    { numRuns: 2000 },
  );
  const doc = new LineDocument('file:///x', 1, 'a 1\nb 2');
  doc.takeChange();
  doc.apply({ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: 'x' });
  assert.deepEqual(doc.takeChange(), [{ from: 1, removed: 1, lines: ['xb 2'] }], 'a keystroke: its line');
  const at = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 0 } });
  doc.apply({ range: at(0), text: 'y' });
  doc.apply({ range: at(1), text: 'z' });
  doc.apply({ range: at(0), text: 'y' });
  assert.deepEqual(
    doc.takeChange(),
    [{ from: 0, removed: 2, lines: ['yya 1', 'zxb 2'] }],
    'lines edited in place, each once',
  );
  assert.deepEqual(doc.takeChange(true), [{ from: 0, removed: 0, lines: ['yya 1', 'zxb 2'] }], 'all, for a new linter');
});
