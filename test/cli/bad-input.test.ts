/**
 * `dtmetrics lint` on awkward input: empty files, a BOM, CRLF and lone CR line ends, invalid UTF-8, very long
 * lines. Each gets sensible diagnostics at the right positions, never a crash or a stack trace.
 * Files read in 1 MiB chunks (stdin in pipe-sized ones), so some inputs are built to straddle chunk boundaries.
 * Run in this process (in-process.ts); a line that repeats a mistake 200,000 times is repeated-mistakes.slow.test.ts's,
 * a long line in bounded memory big-stdin.slow.test.ts's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TempDir, positions } from './helpers.ts';
import { dtmetrics } from './in-process.ts';
import { lintInputs } from './lint-inputs.ts';

const CHUNK = 1 << 20;

/** Lines with diagnostics at known places (MK002 2:1, DK001 3:11, MK006 5:13, LN004 6:11) between valid ones. */
const LINES = ['cpu.load,host=a 5 1732300000000', '1metric 5', 'my.metric,Host=a 5', '// comment', 'system.load.1m 5', 'cpu.load 5 ', '', 'mem.used gauge,min=1,max=3,sum=4,count=2'];
const EXPECTED = ['2:1-2:2 error MK002', '3:11-3:12 error DK001', '5:13-5:14 warning MK006', '6:11-6:12 warning LN004'];

let tmp: TempDir;

const { lintJson, lintBoth } = lintInputs(() => tmp);

/** Many realistic lines, about `bytes` long, with a mistake (MK002) on every 997th line; returns the lines. */
function manyLines(bytes: number): string[] {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = i % 997 === 996 ? `1bad.metric,host=h${i % 50} ${i}` : `http.requests,host=h${i % 50},status=${200 + (i % 5)} count,delta=${i % 90}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines;
}

before(() => {
  tmp = new TempDir();
});

after(() => tmp?.remove());

describe('empty input', () => {
  test('an empty file: exit 0, no diagnostics', async () => {
    const { code } = await lintBoth('empty.dtmetrics', '', { expected: [] });
    assert.equal(code, 0);
    const stylish = await dtmetrics(['lint', 'empty.dtmetrics'], { cwd: tmp.path });
    assert.equal(stylish.code, 0);
    assert.equal(stylish.stderr, '');
    assert.match(stylish.stdout, /no problems/);
  });

  test('a file of blank lines and comments only', async () => {
    const { code } = await lintBoth('blank.dtmetrics', '\n\n// nothing\n\r\n   \n', { expected: [] });
    assert.equal(code, 0);
  });
});

describe('UTF-8 byte order mark', () => {
  test('a BOM does not shift columns and gives no diagnostic', async () => {
    await lintBoth('nobom.dtmetrics', LINES.join('\n') + '\n', { expected: EXPECTED });
    await lintBoth('bom.dtmetrics', '\uFEFF' + LINES.join('\n') + '\n', { expected: EXPECTED });
  });

  test('a BOM before an error on line 1 keeps its column', async () => {
    await lintBoth('bom1.dtmetrics', '\uFEFFmy.metric,a=😀ä,Bad=1 5\n', { expected: ['1:17-1:18 error DK001'] });
  });

  test('a BOM before a valid line: nothing to report', async () => {
    const { code } = await lintBoth('bom2.dtmetrics', '\uFEFFcpu.load 5\n', { expected: [] });
    assert.equal(code, 0);
  });

  test('a file that is only a BOM', async () => {
    const { code } = await lintBoth('bom3.dtmetrics', '\uFEFF', { expected: [] });
    assert.equal(code, 0);
  });
});

describe('line ends', () => {
  test('CRLF: the same diagnostics and positions as LF', async () => {
    await lintBoth('lf.dtmetrics', LINES.join('\n') + '\n', { expected: EXPECTED });
    await lintBoth('crlf.dtmetrics', LINES.join('\r\n') + '\r\n', { expected: EXPECTED });
  });

  test('CRLF without a final line end', async () => {
    await lintBoth('crlf-open.dtmetrics', LINES.join('\r\n'), { expected: EXPECTED });
  });

  test('a lone CR splits lines as VS Code does', async () => {
    await lintBoth('cr.dtmetrics', LINES.join('\r') + '\r', { expected: EXPECTED });
  });

  test('mixed LF, CRLF and CR: each is one line break', async () => {
    // VS Code: a\r\nb\rc\nd is four lines.
    const text = 'cpu.load 5\r\n1metric 5\rmy.metric,Host=a 5\n2metric 5\r\n';
    await lintBoth('mixed-eol.dtmetrics', text, { expected: ['2:1-2:2 error MK002', '3:11-3:12 error DK001', '4:1-4:2 error MK002'] });
  });

  test('CR CR LF is two line breaks (an empty line between)', async () => {
    await lintBoth('crcrlf.dtmetrics', 'cpu.load 5\r\r\n1metric 5\n', { expected: ['3:1-3:2 error MK002'] });
  });

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
    assert.deepEqual(positions(file).slice(-2), [`${n + 1}:1-${n + 1}:2 error MK002`, `${n + 3}:11-${n + 3}:12 error DK001`]);
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

describe('invalid UTF-8', () => {
  test('an invalid byte gives LN006 at the replacement character', async () => {
    const bytes = Buffer.concat([Buffer.from('my.metric,a=caf'), Buffer.from([0xe9]), Buffer.from(' 5\n')]);
    const { code } = await lintBoth('latin1.dtmetrics', bytes, { expected: ['1:16-1:17 warning LN006'] });
    assert.equal(code, 0, 'LN006 is a warning');
  });

  test('after an emoji and `ä` the column counts UTF-16 units', async () => {
    const bytes = Buffer.concat([Buffer.from('my.metric,a=😀ä'), Buffer.from([0xff]), Buffer.from(' 5\n')]);
    await lintBoth('utf16-fffd.dtmetrics', bytes, { expected: ['1:16-1:17 warning LN006'] });
  });

  test('a truncated sequence at the end of the file', async () => {
    const bytes = Buffer.concat([Buffer.from('cpu.load 5\nmy.metric,a=x'), Buffer.from([0xe2, 0x82])]);
    const { file } = await lintBoth('truncated.dtmetrics', bytes);
    const ln006 = file.diagnostics.filter((d) => d.code === 'LN006');
    assert.deepEqual(
      ln006.map((d) => [d.line, d.column, d.endColumn, d.severity]),
      [[2, 14, 15, 'warning']],
    );
  });

  test('an invalid byte on a later line, with a BOM and CRLF', async () => {
    const bytes = Buffer.concat([Buffer.from('\uFEFFcpu.load 5\r\nmy.metric,a=b'), Buffer.from([0xc3, 0x28]), Buffer.from(' 5\r\n')]);
    await lintBoth('mixed-bad.dtmetrics', bytes, { expected: ['2:14-2:15 warning LN006'] });
  });
});

describe('long lines', () => {
  // "Several million" characters here means over 10 million: well past the prefix the CLI keeps of a long line
  // (1,000,000 characters at the time of writing), so these lines take its overlong-line path.
  // A line of over 1 MB also passes the request size (LN003, info); these tests are about LN001 and line splitting.
  const NO_LN003 = ['--rule', 'LN003=off'];
  /** A valid gauge line of exactly `length` characters: a long decimal, as in the LN001 rule fixture. */
  const longLine = (length: number) => 'big.metric 1.' + '0'.repeat(length - 'big.metric 1.'.length);

  test('a line of 60,000 characters: LN001 from column 50,001 to the end', async () => {
    const { code, file } = await lintBoth('long.dtmetrics', 'cpu.load 5\n' + longLine(60_000) + '\ncpu.load 6\n', { expected: ['2:50001-2:60001 error LN001'] });
    assert.equal(code, 1);
    assert.match(file.diagnostics[0]?.message ?? '', /60,000/);
  });

  test('exactly 50,000 characters is fine, 50,001 is not', async () => {
    await lintBoth('limit.dtmetrics', longLine(50_000) + '\n', { expected: [] });
    await lintBoth('limit1.dtmetrics', longLine(50_001) + '\n', { expected: ['1:50001-1:50002 error LN001'] });
  });

  test('a line of several million characters with no newline: LN001 with the true length', async () => {
    const length = 12_345_678;
    const { code, file } = await lintBoth('huge.dtmetrics', longLine(length), { args: NO_LN003, expected: [`1:50001-1:${length + 1} error LN001`] });
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
