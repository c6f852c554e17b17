/**
 * Every numeric option of every command reads a number one way (server/src/cli/options.ts): decimal digits, within
 * the option's range. Each option × each way of writing ten (or something like it) → the value the command takes
 * (read by its own parser), or the one line it refuses it with: exit 2, nothing on stdout (through main.ts, in this
 * process). Before, `push --concurrency 1e1`, `serve --port 0x0` (and `--port=`, a random port) and
 * `push --timeout 1.5` were taken, while `lint --max-warnings 1e1` was refused.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { timeoutMs } from '#cli/connection-args.ts';
import { parseLintArgs } from '#cli/lint-command.ts';
import { parsePushArgs } from '#cli/push-command.ts';
import { parseServeArgs } from '#cli/serve-command.ts';
import { dtmetrics } from './in-process.ts';

/** Nothing listens here: a push or query that got past its options would fail to connect, never hang. */
const URL = 'http://127.0.0.1:9';

/** How each input is taken: its value, or refused. Written `--option=input`, so that `-1` is the option's value. */
const INPUTS: [string, number | 'refused'][] = [
  ['10', 10],
  ['1e1', 'refused'],
  ['0x0', 'refused'],
  ['-1', 'refused'],
  ['', 'refused'],
  ['1.5', 'refused'],
  [' 10', 'refused'],
];

interface NumericOption {
  /** The option as its message names it. */
  name: string;
  /** The range as its message states it, and its ends (none above: up to what a double holds exactly). */
  range: string;
  min: number;
  max: number | null;
  /** A command line with the option written as `text`, valid in every other respect. */
  argv: (text: string) => string[];
  /** The value the command's parser takes from `text`. */
  value: (text: string) => number;
}

const settings = <T>(parsed: T | 'help'): T => (parsed === 'help' ? assert.fail('help') : parsed);
const lint = (args: string[]) => settings(parseLintArgs([...args, '-'], () => 0));
const push = (args: string[]) => settings(parsePushArgs(['--url', URL, ...args, '-'], {}));
const serve = (args: string[]) => settings(parseServeArgs(args, {}));

const OPTIONS: NumericOption[] = [
  {
    name: '--max-warnings',
    range: 'of 0 or more',
    min: 0,
    max: null,
    argv: (t) => ['lint', `--max-warnings=${t}`, '-'],
    value: (t) => lint([`--max-warnings=${t}`]).maxWarnings,
  },
  {
    name: '--limit cardinalityBudget',
    range: 'of 0 or more',
    min: 0,
    max: null,
    argv: (t) => ['lint', `--limit=cardinalityBudget=${t}`, '-'],
    value: (t) => lint([`--limit=cardinalityBudget=${t}`]).options.limits?.cardinalityBudget ?? NaN,
  },
  {
    name: '--concurrency',
    range: 'from 1 to 64',
    min: 1,
    max: 64,
    argv: (t) => ['push', '--dry-run', '--url', URL, `--concurrency=${t}`, '-'],
    value: (t) => push([`--concurrency=${t}`]).concurrency,
  },
  {
    name: '--timeout',
    range: 'from 1 to 3600',
    min: 1,
    max: 3600,
    argv: (t) => ['push', '--dry-run', '--url', URL, `--timeout=${t}`, '-'],
    value: (t) => push([`--timeout=${t}`]).timeoutMs / 1000,
  },
  // query reads --timeout with push's function (connection-args.ts).
  {
    name: '--timeout',
    range: 'from 1 to 3600',
    min: 1,
    max: 3600,
    argv: (t) => ['query', '--url', URL, `--timeout=${t}`, 'm.k'],
    value: (t) => timeoutMs(t) / 1000,
  },
  {
    name: '--port',
    range: 'from 0 to 65535',
    min: 0,
    max: 65_535,
    argv: (t) => ['serve', `--port=${t}`],
    value: (t) => serve([`--port=${t}`]).port,
  },
  {
    name: '--max-series',
    range: 'of 1 or more',
    min: 1,
    max: null,
    argv: (t) => ['serve', `--max-series=${t}`],
    value: (t) => serve([`--max-series=${t}`]).maxSeries ?? NaN,
  },
  {
    name: '--compact-log-bytes',
    range: 'of 1 or more',
    min: 1,
    max: null,
    argv: (t) => ['serve', `--compact-log-bytes=${t}`],
    value: (t) => serve([`--compact-log-bytes=${t}`]).compactLogBytes ?? NaN,
  },
  {
    name: '--statsd-port',
    range: 'from 0 to 65535',
    min: 0,
    max: 65_535,
    argv: (t) => ['serve', `--statsd-port=${t}`],
    value: (t) => serve([`--statsd-port=${t}`]).statsd?.port ?? NaN,
  },
  {
    name: '--statsd-flush-seconds',
    range: 'from 1 to 3600',
    min: 1,
    max: 3_600,
    argv: (t) => ['serve', `--statsd-flush-seconds=${t}`],
    value: (t) => (serve([`--statsd-flush-seconds=${t}`]).statsd?.flushMs ?? NaN) / 1000,
  },
];

for (const option of OPTIONS) {
  describe(`${option.argv('N').slice(0, 1)} ${option.name}`, () => {
    for (const [input, expected] of INPUTS) {
      const message = `dtmetrics: ${option.name} takes a whole number ${option.range}, written in decimal digits, not '${input}'\n`;
      test(`${JSON.stringify(input)} → ${expected === 'refused' ? message.trim() : expected}`, async () => {
        if (expected !== 'refused') {
          assert.equal(option.value(input), expected);
          return;
        }
        assert.throws(() => option.value(input), { message: message.slice('dtmetrics: '.length, -1) });
        const { code, stdout, stderr } = await dtmetrics(option.argv(input));
        assert.deepEqual({ code, stdout, stderr }, { code: 2, stdout: '', stderr: message });
      });
    }
  });
}

test('the ends of each range are in it, one past them is not', () => {
  for (const { name, min, max, value } of OPTIONS) {
    assert.equal(value(String(min)), min, `${name} ${min}`);
    if (min > 0)
      assert.throws(() => value(String(min - 1)), { message: new RegExp(`^${name} `) }, `${name} ${min - 1}`);
    const over = max === null ? '9007199254740992' : String(max + 1);
    if (max !== null) assert.equal(value(String(max)), max, `${name} ${max}`);
    assert.throws(() => value(over), { message: new RegExp(`^${name} `) }, `${name} ${over}`);
  }
});

describe('serve: the StatsD listener and --tail', () => {
  test('by default a listener on 18125 flushed every 10 s, no tail; --no-statsd none; --tail tails', () => {
    assert.deepEqual(serve([]).statsd, { port: 18_125, flushMs: 10_000 });
    assert.equal(serve([]).tail, false);
    assert.equal(serve(['--no-statsd']).statsd, null);
    assert.equal(serve(['--tail']).tail, true);
  });

  test('--no-statsd with a StatsD option is one line, exit 2', async () => {
    const { code, stdout, stderr } = await dtmetrics(['serve', '--no-statsd', '--statsd-port', '9125']);
    assert.deepEqual(
      { code, stdout, stderr },
      {
        code: 2,
        stdout: '',
        stderr:
          'dtmetrics: --no-statsd turns the StatsD listener off: leave out --statsd-port and --statsd-flush-seconds\n',
      },
    );
  });
});

describe('serve: --host-entity', () => {
  test('none by default; a host entity ID is taken as written', () => {
    assert.equal(serve([]).hostEntity, null);
    assert.equal(serve(['--host-entity', 'HOST-06F288EE2A930951']).hostEntity, 'HOST-06F288EE2A930951');
  });

  test('anything but HOST- and 16 upper-case hex digits is one line, exit 2', async () => {
    for (const bad of ['HOST-06f288ee2a930951', 'HOST-123', 'my-laptop', '']) {
      const { code, stdout, stderr } = await dtmetrics(['serve', `--host-entity=${bad}`]);
      assert.deepEqual(
        { code, stdout, stderr },
        {
          code: 2,
          stdout: '',
          stderr: `dtmetrics: --host-entity: '${bad}' is not a host entity ID: HOST- and 16 upper-case hexadecimal digits, as in HOST-06F288EE2A930951\n`,
        },
        bad,
      );
    }
  });
});
