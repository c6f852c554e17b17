/**
 * Where lines end (core/text.ts): the editor's rule (`\r\n`, `\n`, a lone `\r`) as the core, the language server's
 * documents and the CLI's byte reader apply it, and a request body's rule (`\n` only, a `\r` before it dropped) as
 * the local tenant applies it. Each case gives the text and the lines each rule makes of it; every reader of a
 * rule must make the same lines, on these cases and on any text.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  countLineBreaks,
  endsWithLineBreak,
  linesWithBreaks,
  requestLines,
  splitAtLineFeeds,
  splitLines,
} from '#core/text.ts';
import { LineDocument } from '#lsp/documents.ts';
import { readLines } from '#cli/read-lines.ts';

interface Case {
  text: string;
  /** The editor's lines, each with its break. */
  editor: [string, string][];
  /** A request body's lines. */
  request: string[];
}

const CASES: Case[] = [
  { text: '', editor: [['', '']], request: [''] },
  { text: 'a 1', editor: [['a 1', '']], request: ['a 1'] },
  {
    text: 'a 1\n',
    editor: [
      ['a 1', '\n'],
      ['', ''],
    ],
    request: ['a 1'],
  },
  {
    text: 'a 1\nb 2',
    editor: [
      ['a 1', '\n'],
      ['b 2', ''],
    ],
    request: ['a 1', 'b 2'],
  },
  {
    text: 'a 1\r\nb 2\r\n',
    editor: [
      ['a 1', '\r\n'],
      ['b 2', '\r\n'],
      ['', ''],
    ],
    request: ['a 1', 'b 2'],
  },
  {
    text: 'a 1\rb 2',
    editor: [
      ['a 1', '\r'],
      ['b 2', ''],
    ],
    request: ['a 1\rb 2'],
  },
  {
    text: 'a 1\r\rb 2',
    editor: [
      ['a 1', '\r'],
      ['', '\r'],
      ['b 2', ''],
    ],
    request: ['a 1\r\rb 2'],
  },
  {
    text: 'a 1\n\r\n\n',
    editor: [
      ['a 1', '\n'],
      ['', '\r\n'],
      ['', '\n'],
      ['', ''],
    ],
    request: ['a 1', '', ''],
  },
  {
    text: '\n',
    editor: [
      ['', '\n'],
      ['', ''],
    ],
    request: [''],
  },
  {
    text: '\r',
    editor: [
      ['', '\r'],
      ['', ''],
    ],
    request: [''],
  },
  {
    text: 'a 1\n\r',
    editor: [
      ['a 1', '\n'],
      ['', '\r'],
      ['', ''],
    ],
    request: ['a 1', ''],
  },
  { text: 'é 1\u2028b 2\u0085c 3', editor: [['é 1\u2028b 2\u0085c 3', '']], request: ['é 1\u2028b 2\u0085c 3'] },
];

/** The lines the CLI's reader gives for `text` sent as UTF-8 in the chunks `cuts` makes of it (a cut twice: an empty chunk). */
async function cliLines(text: string, cuts: number[]): Promise<string[]> {
  const bytes = new TextEncoder().encode(text);
  const bounds = [0, ...cuts.filter((c) => c <= bytes.length).sort((a, b) => a - b), bytes.length];
  async function* chunks() {
    for (let i = 1; i < bounds.length; i++) yield bytes.slice(bounds[i - 1], bounds[i]);
  }
  const lines: string[] = [];
  await readLines(chunks(), { bytes: () => false, text: (line) => lines.push(line) }, async () => {});
  return lines;
}

/** What the CLI lints: the editor's lines but the empty one after a final break, which holds nothing. */
const cliExpected = (lines: string[]): string[] =>
  lines.length > 1 && lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines;

describe("the editor's rule", () => {
  for (const c of CASES) {
    it(JSON.stringify(c.text), async () => {
      assert.deepEqual([...linesWithBreaks(c.text)], c.editor);
      const lines = c.editor.map(([line]) => line);
      assert.deepEqual([...splitLines(c.text)], lines);
      assert.equal(countLineBreaks(c.text), c.editor.length - 1);
      assert.equal(endsWithLineBreak(c.text), c.editor.length > 1 && c.editor[c.editor.length - 1]?.[0] === '');
      assert.deepEqual(new LineDocument('file:///case', 1, c.text).lines, lines, "the language server's document");
      const bytes = new TextEncoder().encode(c.text).length;
      for (let cut = 0; cut <= bytes; cut++) {
        assert.deepEqual(
          await cliLines(c.text, [cut]),
          cliExpected(lines),
          `the CLI's reader, chunks cut at byte ${cut}`,
        );
        assert.deepEqual(
          await cliLines(c.text, [cut, cut]),
          cliExpected(lines),
          `the CLI's reader, an empty chunk at byte ${cut}`,
        );
      }
    });
  }

  it('on any text, every reader makes the lines a split at /\\r\\n|\\r|\\n/ makes', async () => {
    const text = fc.string({ unit: fc.constantFrom('a', ' ', '\r', '\n', 'é', '😀'), maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(120), { maxLength: 4 }), async (t, cuts) => {
        const expected = t.split(/\r\n|\r|\n/);
        assert.deepEqual([...splitLines(t)], expected);
        assert.equal(countLineBreaks(t), expected.length - 1);
        assert.equal(endsWithLineBreak(t), /[\r\n]$/.test(t));
        assert.deepEqual(new LineDocument('file:///any', 1, t).lines, expected);
        assert.deepEqual(await cliLines(t, cuts), cliExpected(expected));
      }),
      { numRuns: 2000 },
    );
  });
});

it("the CLI's reader drops a file's BOM and keeps one inside, in any chunks after the BOM (an empty one first)", async () => {
  for (const cuts of [[], [0], [0, 0], [3], [4], [6]])
    assert.deepEqual(await cliLines('\ufeffa 1\n\ufeffb 2', cuts), ['a 1', '\ufeffb 2'], String(cuts));
});

describe("a request body's rule", () => {
  for (const c of CASES) {
    it(JSON.stringify(c.text), () => assert.deepEqual(requestLines(c.text), c.request));
  }

  it('splitAtLineFeeds keeps what follows the last \\n apart, as a stream reads on', () => {
    assert.deepEqual(splitAtLineFeeds('a\r\nb\nc'), { lines: ['a\r', 'b'], rest: 'c' });
    assert.deepEqual(splitAtLineFeeds('a\n'), { lines: ['a'], rest: '' });
    assert.deepEqual(splitAtLineFeeds('a\rb'), { lines: [], rest: 'a\rb' });
  });
});
