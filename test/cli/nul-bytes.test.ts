/**
 * NUL bytes and binary input through the CLI (run in this process: in-process.ts), from a file and from stdin, in every format. The decision
 * (server/src/cli/inputs.ts, looksBinary): an input whose first 64 KiB look binary (over 30 % NULs, other control
 * characters or bytes that are not UTF-8) is refused before any output: one line on stderr, exit 2, nothing on
 * stdout. Any other input is text, and a stray NUL is a finding on its line, wherever it stands (at the start,
 * within the first 64 KiB or after them). Standard output is always valid JSON/SARIF/stylish text, or empty.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { ValidateFunction } from 'ajv';
import {
  assertUsageError,
  NOW,
  parseJsonReport,
  positions,
  sarifValidator,
  STYLISH_LINE,
  TempDir,
  type RunResult,
} from './helpers.ts';
import { dtmetrics } from './in-process.ts';

const PROBE = 64 * 1024;

/** Valid lines (ten series, no timestamps) of at least `bytes` bytes, and how many lines they are. */
function filler(bytes: number): { text: string; lines: number } {
  const lines: string[] = [];
  for (let size = 0; size < bytes; size += (lines.at(-1) as string).length + 1)
    lines.push(`cpu.load,host=h${lines.length % 10} ${lines.length % 100}`);
  return { text: lines.join('\n') + '\n', lines: lines.length };
}

/** Pseudo-random bytes (a fixed LCG), so the "random" input is the same on every run. */
function noise(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = 12345;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

const NUL_LINE = 'm.k,d=a\0b 1';
const before64 = filler(30_000);
const after64 = filler(PROBE + 30_000);

/** Text with stray NULs (and other characters that are not text): the findings of their lines, as `positions()` writes them. */
const TEXT: { name: string; content: Buffer; findings: string[] }[] = [
  { name: "the issue's line alone", content: Buffer.from(NUL_LINE + '\n'), findings: ['1:8-1:9 error DV006'] },
  {
    name: 'a NUL as the very first byte',
    content: Buffer.from('\0m.k 1\n' + before64.text),
    findings: ['1:1-1:2 error MK003'],
  },
  {
    name: 'a NUL on the first line',
    content: Buffer.from(NUL_LINE + '\n' + before64.text),
    findings: ['1:8-1:9 error DV006'],
  },
  {
    name: 'a NUL within the first 64 KiB',
    content: Buffer.from(before64.text + NUL_LINE + '\n'),
    findings: [`${before64.lines + 1}:8-${before64.lines + 1}:9 error DV006`],
  },
  {
    name: 'a NUL after the first 64 KiB',
    content: Buffer.from(after64.text + NUL_LINE + '\n'),
    findings: [`${after64.lines + 1}:8-${after64.lines + 1}:9 error DV006`],
  },
  {
    name: 'a Latin-1 byte (not UTF-8): not binary, LN006 on its line',
    content: Buffer.from('cpu.temp,room=caf\xe9 1\n', 'latin1'),
    findings: ['1:18-1:19 warning LN006'],
  },
  {
    name: 'other control characters at the very start',
    content: Buffer.from('\x01\x02cpu 1\n' + before64.text),
    findings: ['1:1-1:3 error MK003'],
  },
  {
    name: 'NULs in a key, a timestamp and metadata, after 64 KiB',
    content: Buffer.from(after64.text + 'm\0k 1\nm.k 1 17\0\n#m.k gauge dt.meta.unit=a\0b\n'),
    findings: [
      `${after64.lines + 1}:2-${after64.lines + 1}:3 error MK003`,
      `${after64.lines + 2}:7-${after64.lines + 2}:10 error TS001`,
      `${after64.lines + 3}:26-${after64.lines + 3}:27 error DV006`,
    ],
  },
];

/** Inputs whose start is not text: refused. */
const BINARY: { name: string; content: Buffer }[] = [
  {
    name: 'a few bytes, mostly NUL and control characters',
    content: Buffer.from([0x63, 0x70, 0x75, 0x00, 0x01, 0x02, 0xff, 0x00, 0x0a]),
  },
  { name: 'NULs alone', content: Buffer.alloc(100) },
  { name: 'gzip of metric lines', content: gzipSync(filler(200_000).text) },
  { name: 'random bytes', content: noise(PROBE * 2) },
  {
    name: 'an ELF-like header and zeros',
    content: Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(4096)]),
  },
  {
    name: 'UTF-16 metric lines',
    content: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('cpu.load 5\n'.repeat(50), 'utf16le')]),
  },
];

const FORMATS = ['stylish', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

let tmp: TempDir;
let validateSarif: ValidateFunction;

before(() => {
  tmp = new TempDir();
  validateSarif = sarifValidator();
});
after(() => tmp?.remove());

const lint = (format: Format, source: 'file' | 'stdin', name: string, content: Buffer): Promise<RunResult> =>
  dtmetrics(['lint', '--format', format, '--now', String(NOW), source === 'file' ? name : '-'], {
    cwd: tmp.path,
    ...(source === 'stdin' ? { stdin: content } : {}),
  });

/** Standard output is what the format promises, whatever happened: valid JSON/SARIF, or stylish lines; or empty. */
function assertValidOutput(format: Format, stdout: string): void {
  if (stdout === '') return;
  if (format === 'json') parseJsonReport(stdout);
  else if (format === 'sarif') {
    let log: unknown;
    assert.doesNotThrow(() => (log = JSON.parse(stdout)), `SARIF is JSON and nothing else:\n${stdout.slice(-500)}`);
    assert.ok(
      validateSarif(log),
      `SARIF schema errors:\n${JSON.stringify(validateSarif.errors?.slice(0, 5), null, 2)}`,
    );
  } else {
    // No raw control character reaches a terminal: a NUL in a message is written U+0000.
    assert.doesNotMatch(stdout, /(?!\n)\p{Cc}/u, 'no control characters in stylish output');
    for (const line of stdout.split('\n').filter((l) => l !== ''))
      assert.match(line, /^.+:\d+:\d+ {2}(error|warning|info|hint) {2}.+ {2}[A-Z]{2}\d{3}$|^✖ |^⚠ |^ℹ |^✔ /, line);
  }
}

describe('text with stray NULs: a finding on its line, wherever it stands, from a file or stdin', () => {
  for (const c of TEXT) {
    test(c.name, async () => {
      const name = `${c.name.replace(/\W+/g, '-')}.dtmetrics`;
      tmp.write(name, c.content);
      const oddLines = new Set(c.findings.map((f) => f.split(':')[0]));
      for (const source of ['file', 'stdin'] as const) {
        for (const format of FORMATS) {
          const result = await lint(format, source, name, c.content);
          const context = `${format} from ${source}`;
          assert.equal(result.stderr, '', context);
          assert.equal(result.code, c.findings.some((f) => f.includes(' error ')) ? 1 : 0, context);
          assertValidOutput(format, result.stdout);
          if (format === 'json') {
            const found = positions(parseJsonReport(result.stdout)[0]).filter((p) =>
              oddLines.has(p.split(':')[0] as string),
            );
            assert.deepEqual(found, c.findings, context);
          } else if (format === 'sarif') {
            const results =
              (
                JSON.parse(result.stdout) as {
                  runs: {
                    results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[];
                  }[];
                }
              ).runs[0]?.results ?? [];
            const found = results
              .filter((r) => oddLines.has(String(r.locations[0]?.physicalLocation.region.startLine)))
              .map((r) => `${r.locations[0]?.physicalLocation.region.startLine} ${r.ruleId}`);
            assert.deepEqual(
              found,
              c.findings.map((f) => `${f.split(':')[0]} ${f.slice(-5)}`),
              context,
            );
          } else {
            const found = result.stdout.split('\n').flatMap((l) => {
              const m = STYLISH_LINE.exec(l);
              return m && oddLines.has(m[2] as string) ? [`${m[2]}:${m[3]} ${m[6]}`] : [];
            });
            assert.deepEqual(
              found,
              c.findings.map((f) => `${f.split('-')[0]} ${f.slice(-5)}`),
              context,
            );
          }
        }
      }
    });
  }
});

describe('input whose start looks binary: refused in one line, exit 2, nothing on stdout', () => {
  for (const c of BINARY) {
    test(c.name, async () => {
      const name = `${c.name.replace(/\W+/g, '-')}.dtmetrics`;
      tmp.write(name, c.content);
      for (const source of ['file', 'stdin'] as const) {
        for (const format of FORMATS) {
          const result = await lint(format, source, name, c.content);
          assertUsageError(result, `'${source === 'file' ? name : '-'}' looks like a binary file`);
          assert.equal(result.stdout, '', `${format} from ${source}: nothing on stdout`);
        }
      }
    });
  }

  test('a binary file among text files stops the run before any output', async () => {
    tmp.write('ok.dtmetrics', 'cpu.load 5\n');
    tmp.write('zeros.dtmetrics', Buffer.alloc(1000));
    for (const format of FORMATS) {
      const result = await dtmetrics(
        ['lint', '--format', format, '--now', String(NOW), 'ok.dtmetrics', '-', 'zeros.dtmetrics'],
        { cwd: tmp.path, stdin: 'cpu.load 6\n' },
      );
      assertUsageError(result, "'zeros.dtmetrics' looks like a binary file");
      assert.equal(result.stdout, '', format);
    }
  });

  test('binary bytes after 64 KiB of text are lines like any others: findings, valid output', async () => {
    const content = Buffer.concat([Buffer.from(after64.text), gzipSync(filler(100_000).text)]);
    tmp.write('late-binary.dtmetrics', content);
    for (const source of ['file', 'stdin'] as const) {
      for (const format of FORMATS) {
        const result = await lint(format, source, 'late-binary.dtmetrics', content);
        assert.equal(result.stderr, '', `${format} from ${source}`);
        assert.equal(result.code, 1, `${format} from ${source}`);
        assertValidOutput(format, result.stdout);
      }
    }
  });
});

describe('a file that cannot be read once output has begun', () => {
  // Standard input is read first, after every file was checked: once the CLI has read all of it, the file is
  // removed, and reading it fails mid-run, after the report of stdin has begun.
  for (const format of FORMATS) {
    test(`${format}: the report is closed and valid, the failure one line on stderr, exit 2`, async () => {
      const victim = `victim-${format}.dtmetrics`;
      tmp.write(victim, 'cpu.load 5\n');
      const chunk = Buffer.from(filler(PROBE).text);
      async function* stdin(): AsyncGenerator<Uint8Array> {
        for (let written = 0; written < 4 << 20; written += chunk.length) yield chunk;
        rmSync(tmp.join(victim));
      }
      const result: RunResult = await dtmetrics(['lint', '--format', format, '--now', String(NOW), '-', victim], {
        cwd: tmp.path,
        stdin: stdin(),
      });
      assertUsageError(result, `cannot read '${victim}': no such file or directory`);
      assertValidOutput(format, result.stdout);
      if (format === 'json') {
        const report = parseJsonReport(result.stdout);
        assert.deepEqual(
          report.map((f) => [f.file, f.error]),
          [
            ['-', undefined],
            [victim, `cannot read '${victim}': no such file or directory`],
          ],
        );
      } else if (format === 'sarif') {
        const run = (
          JSON.parse(result.stdout) as {
            runs: {
              invocations?: {
                executionSuccessful: boolean;
                toolExecutionNotifications: { message: { text: string } }[];
              }[];
            }[];
          }
        ).runs[0];
        assert.equal(run?.invocations?.[0]?.executionSuccessful, false);
        assert.equal(
          run?.invocations?.[0]?.toolExecutionNotifications[0]?.message.text,
          `cannot read '${victim}': no such file or directory`,
        );
      } else assert.doesNotMatch(result.stdout, /problems? \(|no problems/, 'no summary: the run did not finish');
    });
  }
});
