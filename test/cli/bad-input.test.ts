/**
 * `dtmetrics lint` on awkward input: empty files, a BOM, CRLF and lone CR line ends, invalid UTF-8, very long
 * lines. Each gets sensible diagnostics at the right positions, never a crash or a stack trace.
 * Run in this process (in-process.ts). Inputs of several MiB (across chunk boundaries, lines of millions of
 * characters, a mistake repeated 200,000 times on one line) are big-input.slow.test.ts's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TempDir } from './helpers.ts';
import { dtmetrics } from './in-process.ts';
import { lintInputs } from './lint-inputs.ts';

/** Lines with diagnostics at known places (MK002 2:1, DK001 3:11, MK006 5:13, LN004 6:11) between valid ones. */
const LINES = [
  'cpu.load,host=a 5 1732300000000',
  '1metric 5',
  'my.metric,Host=a 5',
  '// comment',
  'system.load.1m 5',
  'cpu.load 5 ',
  '',
  'mem.used gauge,min=1,max=3,sum=4,count=2',
];
const EXPECTED = ['2:1-2:2 error MK002', '3:11-3:12 error DK001', '5:13-5:14 warning MK006', '6:11-6:12 warning LN004'];

let tmp: TempDir;

const { lintBoth } = lintInputs(() => tmp);

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
    await lintBoth('mixed-eol.dtmetrics', text, {
      expected: ['2:1-2:2 error MK002', '3:11-3:12 error DK001', '4:1-4:2 error MK002'],
    });
  });

  test('CR CR LF is two line breaks (an empty line between)', async () => {
    await lintBoth('crcrlf.dtmetrics', 'cpu.load 5\r\r\n1metric 5\n', { expected: ['3:1-3:2 error MK002'] });
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
    const bytes = Buffer.concat([
      Buffer.from('\uFEFFcpu.load 5\r\nmy.metric,a=b'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(' 5\r\n'),
    ]);
    await lintBoth('mixed-bad.dtmetrics', bytes, { expected: ['2:14-2:15 warning LN006'] });
  });
});

describe('long lines', () => {
  /** A valid gauge line of exactly `length` characters: a long decimal, as in the LN001 rule fixture. */
  const longLine = (length: number) => 'big.metric 1.' + '0'.repeat(length - 'big.metric 1.'.length);

  test('a line of 60,000 characters: LN001 from column 50,001 to the end', async () => {
    const { code, file } = await lintBoth('long.dtmetrics', 'cpu.load 5\n' + longLine(60_000) + '\ncpu.load 6\n', {
      expected: ['2:50001-2:60001 error LN001'],
    });
    assert.equal(code, 1);
    assert.match(file.diagnostics[0]?.message ?? '', /60,000/);
  });

  test('exactly 50,000 characters is fine, 50,001 is not', async () => {
    await lintBoth('limit.dtmetrics', longLine(50_000) + '\n', { expected: [] });
    await lintBoth('limit1.dtmetrics', longLine(50_001) + '\n', { expected: ['1:50001-1:50002 error LN001'] });
  });
});
