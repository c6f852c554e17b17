/**
 * `dtmetrics lint` (in this process) on inputs of several MiB, each from a file and through stdin: line ends
 * across the 1 MiB chunks a file is read in (stdin in pipe-sized ones), lines of millions of characters, and a line
 * that repeats one mistake 200,000 times (at most five findings of a kind, the fifth saying how many more, bounded
 * output in every format). In the slow lane for their size: each takes seconds.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NOW, TempDir, positions } from './helpers.ts';
import { dtmetrics } from './in-process.ts';
import { lintInputs } from './lint-inputs.ts';

let tmp: TempDir;
const { lintJson, lintBoth } = lintInputs(() => tmp);

const CHUNK = 1 << 20;

/** Many realistic lines, about `bytes` long, with a mistake (MK002) on every 997th line; returns the lines. */
function manyLines(bytes: number): string[] {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line =
      i % 997 === 996
        ? `1bad.metric,host=h${i % 50} ${i}`
        : `http.requests,host=h${i % 50},status=${200 + (i % 5)} count,delta=${i % 90}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines;
}

before(() => {
  tmp = new TempDir();
});

after(() => tmp?.remove());

describe('line ends across chunks', () => {
  test('a large CRLF file (several chunks) gives the same diagnostics as its LF version', async () => {
    const lines = manyLines(3.5 * CHUNK);
    const lf = await lintBoth('big-lf.dtmetrics', lines.join('\n') + '\n');
    assert.ok(lf.found.length >= 40, `many findings (${lf.found.length})`);
    await lintBoth('big-crlf.dtmetrics', lines.join('\r\n') + '\r\n', { expected: lf.found });
  });

  test('a CRLF split across a 1 MiB chunk boundary is one line break', async () => {
    // Pad so that the `\r` of one line end is the last byte of the first chunk and its `\n` the first of the next.
    const head = manyLines(0.9 * CHUNK);
    let text = head.join('\r\n') + '\r\n';
    const pad = CHUNK - 1 - text.length - '// '.length;
    text += '// ' + 'p'.repeat(pad) + '\r\n';
    assert.equal(text.charCodeAt(CHUNK - 1), 0x0d);
    assert.equal(text.charCodeAt(CHUNK), 0x0a);
    const after = ['1metric 5', 'cpu.load 5', 'my.metric,Host=a 5'];
    text += after.join('\r\n') + '\r\n';
    const lf = await lintJson(['-'], text.replaceAll('\r\n', '\n'));
    tmp.write('boundary-crlf.dtmetrics', text);
    const { file } = await lintJson(['boundary-crlf.dtmetrics']);
    const n = head.length + 1;
    assert.deepEqual(positions(file), positions(lf.file));
    assert.deepEqual(positions(file).slice(-2), [
      `${n + 1}:1-${n + 1}:2 error MK002`,
      `${n + 3}:11-${n + 3}:12 error DK001`,
    ]);
  });

  test('a large file with lone CR line ends gives the same diagnostics as its LF version', async () => {
    // 12 MiB with no `\n` at all: a reader that splits only on `\n` sees one huge line, longer than any prefix it
    // keeps of a long line, and loses the lines past that prefix.
    const lines = manyLines(12 * CHUNK);
    const lf = await lintBoth('big-lf2.dtmetrics', lines.join('\n') + '\n');
    assert.ok(lf.found.length >= 20);
    await lintBoth('big-cr.dtmetrics', lines.join('\r') + '\r', { expected: lf.found });
  });
});

describe('lines of millions of characters', () => {
  // "Several million" characters here means over 10 million: well past the prefix the CLI keeps of a long line
  // (1,000,000 characters at the time of writing), so these lines take its overlong-line path.
  // A line of over 1 MB also passes the request size (LN003, info); these tests are about LN001 and line splitting.
  const NO_LN003 = ['--rule', 'LN003=off'];
  /** A valid gauge line of exactly `length` characters: a long decimal, as in the LN001 rule fixture. */
  const longLine = (length: number) => 'big.metric 1.' + '0'.repeat(length - 'big.metric 1.'.length);

  test('a line of several million characters with no newline: LN001 with the true length', async () => {
    const length = 12_345_678;
    const { code, file } = await lintBoth('huge.dtmetrics', longLine(length), {
      args: NO_LN003,
      expected: [`1:50001-1:${length + 1} error LN001`],
    });
    assert.equal(code, 1);
    assert.match(file.diagnostics[0]?.message ?? '', /12,345,678/);
  });

  for (const [eol, name] of [
    ['\n', 'LF'],
    ['\r\n', 'CRLF'],
    ['\r', 'CR'],
  ] as const) {
    test(`a line of several million characters, then more lines (${name}): each later line once, at its own number`, async () => {
      const length = 10_000_000;
      const text = ['cpu.load 5', longLine(length), '1metric 5', 'cpu.load 5', 'my.metric,Host=a 5'].join(eol) + eol;
      await lintBoth(`huge-then-${name}.dtmetrics`, text, {
        args: NO_LN003,
        expected: [`2:50001-2:${length + 1} error LN001`, '3:1-3:2 error MK002', '5:11-5:12 error DK001'],
      });
    });
  }

  test('a huge line whose CRLF straddles a chunk boundary', async () => {
    // The `\r` ending the long line is the last byte of the 11th 1 MiB chunk (a file is read in 1 MiB chunks).
    const length = 11 * CHUNK - 1 - 'cpu.load 5\r\n'.length;
    const text = 'cpu.load 5\r\n' + longLine(length) + '\r\n1metric 5\r\n';
    assert.equal(text.charCodeAt(11 * CHUNK - 1), 0x0d);
    tmp.write('huge-boundary.dtmetrics', text);
    const { file } = await lintJson([...NO_LN003, 'huge-boundary.dtmetrics']);
    assert.deepEqual(positions(file), [`2:50001-2:${length + 1} error LN001`, '3:1-3:2 error MK002']);
  });
});

describe('a line that repeats one mistake 200,000 times', () => {
  const N = 200_000;
  const list = (make: (i: number) => string) => Array.from({ length: N }, (_, i) => make(i)).join(',');
  const CASES = [
    { name: 'metadata properties', line: `#cpu.temp gauge ${list((i) => `p${i}=a=b`)}`, repeated: ['MD002', 'DV002'] },
    { name: 'dimensions', line: `cpu.temp,${list((i) => `d${i}=a=b`)} gauge,1`, repeated: ['DV002'] },
    {
      name: 'summary fields',
      line: `cpu.temp gauge,min=1,max=1,sum=1,count=1,${list((i) => `x${i}=1`)}`,
      repeated: ['PL003'],
    },
  ];
  for (const c of CASES) {
    // Before the cap, such a line's report ran to tens of MB. SARIF carries the rule table whatever the input: what
    // the line adds to a clean file's report is measured.
    test(`${c.name}: at most 5 findings of a kind, and under 100 kB of output in every format`, async () => {
      const name = `repeated-${c.name.replace(' ', '-')}.dtmetrics`;
      const { file } = await lintBoth(name, c.line + '\n');
      for (const code of c.repeated) assert.equal(file.diagnostics.filter((d) => d.code === code).length, 5, code);
      const codes = new Set(file.diagnostics.map((d) => d.code));
      assert.ok(
        file.diagnostics.length <= 5 * codes.size,
        `${file.diagnostics.length} diagnostics of ${codes.size} kinds`,
      );
      for (const format of ['stylish', 'sarif']) {
        const clean = await dtmetrics(['lint', '--format', format, '-'], { cwd: tmp.path, stdin: 'cpu.temp 1\n' });
        const result = await dtmetrics(['lint', '--format', format, '--now', String(NOW), name], { cwd: tmp.path });
        assert.equal(result.code, 1);
        const added = result.stdout.length - clean.stdout.length;
        assert.ok(added < 100_000, `${format}: ${added.toLocaleString('en-US')} characters more than a clean file's`);
      }
    });
  }

  test('the fifth finding of a kind says how many more there were', async () => {
    const { file } = await lintBoth('repeated-note.dtmetrics', `#cpu.temp gauge ${list((i) => `p${i}=x`)}\n`);
    const notes = file.diagnostics.filter((d) => d.message.includes('more like it'));
    assert.deepEqual(
      notes.map((d) => [d.code, d.column]),
      [['MD002', 1 + '#cpu.temp gauge p0=x,p1=x,p2=x,p3=x,'.length]],
    );
    assert.match(notes[0]?.message ?? '', /… and 199,995 more like it on this line/);
  });
});
