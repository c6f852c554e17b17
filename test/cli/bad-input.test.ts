/**
 * `dtmetrics lint` on awkward input: empty files, a BOM, CRLF and lone CR line ends, invalid UTF-8, very long
 * lines. Each gets sensible diagnostics at the right positions, never a crash or a stack trace.
 * Files read in 1 MiB chunks (stdin in pipe-sized ones), so some inputs are built to straddle chunk boundaries.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { NOW, TempDir, assertBuilt, collect, feed, parseJsonReport, positions, runCli, spawnCli, type JsonFile } from './helpers.ts';

const CHUNK = 1 << 20;

/** Lines with diagnostics at known places (MK002 2:1, DK001 3:11, MK006 5:13, LN004 6:11) between valid ones. */
const LINES = ['cpu.load,host=a 5 1732300000000', '1metric 5', 'my.metric,Host=a 5', '// comment', 'system.load.1m 5', 'cpu.load 5 ', '', 'mem.used gauge,min=1,max=3,sum=4,count=2'];
const EXPECTED = ['2:1-2:2 error MK002', '3:11-3:12 error DK001', '5:13-5:14 warning MK006', '6:11-6:12 warning LN004'];

let tmp: TempDir;

async function lintJson(args: string[], stdin?: string | Uint8Array): Promise<{ code: number | null; file: JsonFile }> {
  const result = await runCli(['lint', '--format', 'json', '--now', String(NOW), ...args], { cwd: tmp.path, ...(stdin !== undefined ? { stdin } : {}) });
  assert.equal(result.stderr, '', 'nothing on stderr');
  const report = parseJsonReport(result.stdout);
  assert.equal(report.length, 1);
  return { code: result.code, file: report[0] as JsonFile };
}

/**
 * Lints `content` both as a file and through stdin. With `expected`, each must give exactly those diagnostics
 * (as `positions()` strings); without, they must agree with each other.
 */
async function lintBoth(name: string, content: string | Uint8Array, options: { args?: string[]; expected?: string[] } = {}): Promise<{ code: number | null; found: string[]; file: JsonFile }> {
  const args = options.args ?? [];
  tmp.write(name, content);
  const fromFile = await lintJson([...args, name]);
  const fromStdin = await lintJson([...args, '-'], content);
  if (options.expected) {
    assert.deepEqual(positions(fromFile.file), options.expected, `${name} as a file`);
    assert.deepEqual(positions(fromStdin.file), options.expected, `${name} through stdin`);
  } else {
    assert.deepEqual(positions(fromStdin.file), positions(fromFile.file), `${name}: stdin and file give the same diagnostics`);
  }
  assert.equal(fromStdin.code, fromFile.code);
  return { code: fromFile.code, found: positions(fromFile.file), file: fromFile.file };
}

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
  assertBuilt();
  tmp = new TempDir();
});

after(() => tmp?.remove());

describe('empty input', () => {
  test('an empty file: exit 0, no diagnostics', async () => {
    const { code } = await lintBoth('empty.dtmetrics', '', { expected: [] });
    assert.equal(code, 0);
    const stylish = await runCli(['lint', 'empty.dtmetrics'], { cwd: tmp.path });
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

  test('a 200 MB line through stdin is linted in 64 MB of heap (only a prefix is kept)', async () => {
    const length = 200 * CHUNK;
    const child = spawnCli(['lint', '--format', 'json', '--now', String(NOW), ...NO_LN003, '-'], { nodeArgs: ['--max-old-space-size=64'] });
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    const zeros = Buffer.alloc(CHUNK, '0');
    function* chunks() {
      yield 'big.metric 1.';
      for (let i = 0; i < 199; i++) yield zeros;
      yield zeros.subarray(0, CHUNK - 'big.metric 1.'.length);
    }
    await feed(child.stdin, chunks(), exited);
    const [code, signal] = await exited;
    const err = await stderr;
    assert.equal(err, '', 'nothing on stderr (no out-of-memory crash)');
    assert.deepEqual([code, signal], [1, null]);
    const report = parseJsonReport(await stdout);
    assert.deepEqual(positions(report[0]), [`1:50001-1:${length + 1} error LN001`]);
  });
});

describe('a line that repeats one mistake 200,000 times', () => {
  const N = 200_000;
  const list = (make: (i: number) => string) => Array.from({ length: N }, (_, i) => make(i)).join(',');
  const CASES = [
    { name: 'metadata properties', line: `#cpu.temp gauge ${list((i) => `p${i}=a=b`)}`, repeated: ['MD002', 'DV002'] },
    { name: 'dimensions', line: `cpu.temp,${list((i) => `d${i}=a=b`)} gauge,1`, repeated: ['DV002'] },
    { name: 'summary fields', line: `cpu.temp gauge,min=1,max=1,sum=1,count=1,${list((i) => `x${i}=1`)}`, repeated: ['PL003'] },
  ];
  for (const c of CASES) {
    // Before the cap, such a line's report ran to tens of MB; SARIF carries the rule table (~30 kB) whatever the input.
    test(`${c.name}: at most 5 findings of a kind, and under 100 kB of output in every format`, async () => {
      const name = `repeated-${c.name.replace(' ', '-')}.dtmetrics`;
      const { file } = await lintBoth(name, c.line + '\n');
      for (const code of c.repeated) assert.equal(file.diagnostics.filter((d) => d.code === code).length, 5, code);
      const codes = new Set(file.diagnostics.map((d) => d.code));
      assert.ok(file.diagnostics.length <= 5 * codes.size, `${file.diagnostics.length} diagnostics of ${codes.size} kinds`);
      for (const format of ['stylish', 'sarif']) {
        const result = await runCli(['lint', '--format', format, '--now', String(NOW), name], { cwd: tmp.path });
        assert.equal(result.code, 1);
        assert.ok(result.stdout.length < 100_000, `${format}: ${result.stdout.length.toLocaleString('en-US')} characters of output`);
      }
    });
  }

  test('the fifth finding of a kind says how many more there were', async () => {
    const { file } = await lintBoth('repeated-note.dtmetrics', `#cpu.temp gauge ${list((i) => `p${i}=x`)}\n`);
    const notes = file.diagnostics.filter((d) => d.message.includes('more like it'));
    assert.deepEqual(notes.map((d) => [d.code, d.column]), [['MD002', 1 + '#cpu.temp gauge p0=x,p1=x,p2=x,p3=x,'.length]]);
    assert.match(notes[0]?.message ?? '', /… and 199,995 more like it on this line/);
  });
});
