/**
 * `dtmetrics push`: streams files to a tenant in planned batches (core/push/plan.ts) through the HTTP client
 * (http/push.ts), and reports the fate of every line on its file line. Memory stays bounded on any file size: lines
 * are planned and sent a slice at a time, and text output is written as each slice is answered.
 */
import { DirectiveReader, type FileDirectives } from '#core/directives.ts';
import { isSkipped, millisecondTimestamp, PushPlanner, type PushLine, type TimestampMode } from '#core/push/plan.ts';
import type { Connection } from '#http/client.ts';
import { pushBatches, type PushResult } from '#http/push.ts';
import { Channel } from './channel.ts';
import { connectionOf, CONNECTION_OPTIONS, REFUSED_OPTIONS, CONNECTION_USAGE, timeoutMs } from './connection-args.ts';
import { describeSystemError, UserError } from '#edge/errors.ts';
import { expandInputs, type Input } from './inputs.ts';
import type { CommandContext } from './context.ts';
import { integerOption, parseCommandLine } from './options.ts';
import { plural } from '#core/text.ts';
import type { Output } from './output.ts';
import { chunksOf, readLines, readyInputs, type LineSink, type ReadyInput } from './read-lines.ts';

const PUSH_USAGE = `Usage: dtmetrics push [options] <file|->...

Sends metric lines to a tenant and reports what became of each line: accepted, rejected (with the tenant's
reason, on its line), held back (it has an error; see --send-errors), unknown (sent, but the answer was lost: not
resent, since counts would be counted twice) or not sent. Comments and blank lines are never sent.

Options:
${CONNECTION_USAGE}
  --timestamps <mode>          as-written, rebase (shift all so the newest is now, spacing kept: for fixtures
                               older than an hour) or strip (the tenant stamps them); default: what a file's
                               '// dtmetrics: timestamps=<mode>' comment says, else as-written
  --send-errors                send lines with errors too
  --concurrency <n>            requests in flight (default: 4)
  --timeout <seconds>          time for each answer (default: 30)
  --format <text|json>         output (default: text)
  --dry-run                    plan and report, send nothing
  -h, --help                   show this help

Proxies: HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured.
Exit codes: 0 every line accepted, 1 some line was not, 2 usage or I/O error.`;

/** Planned batches waiting for a worker: enough to keep every request slot busy, few enough to bound memory. */
const CHANNEL_BATCHES = 16;
/** JSON output lists at most this many lines of each fate, and counts the rest. */
const JSON_LIST_LIMIT = 10_000;

interface PushSettings {
  inputs: Input[];
  connection: Connection;
  /** null: as each file's directive says (fileDirectives), else as-written. */
  timestamps: TimestampMode | null;
  sendErrors: boolean;
  concurrency: number;
  timeoutMs: number;
  format: 'text' | 'json';
  dryRun: boolean;
}

export function parsePushArgs(argv: string[], env: NodeJS.ProcessEnv): PushSettings | 'help' {
  const parsed = parseCommandLine(
    'push',
    {
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...CONNECTION_OPTIONS,
        timestamps: { type: 'string' },
        'send-errors': { type: 'boolean' },
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
        format: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    REFUSED_OPTIONS,
  );
  const v = parsed.values;
  if (v.help) return 'help';
  if (parsed.positionals.length === 0) throw new UserError("no files to push (see 'dtmetrics push --help')");
  const connection = connectionOf(v, env, 'metrics.ingest');
  const timestamps = v.timestamps ?? null;
  if (timestamps !== null && timestamps !== 'as-written' && timestamps !== 'rebase' && timestamps !== 'strip')
    throw new UserError(`--timestamps must be as-written, rebase or strip, not '${timestamps}'`);
  const concurrency =
    v.concurrency === undefined ? 4 : integerOption('--concurrency', v.concurrency, { min: 1, max: 64 });
  const format = v.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UserError(`--format must be text or json, not '${format}'`);
  const inputs = expandInputs(parsed.positionals);
  if (timestamps === 'rebase' && inputs.some((i) => i.kind === 'stdin'))
    throw new UserError(
      '--timestamps rebase reads a file twice (to find the newest timestamp first): give files, not -',
    );
  return {
    inputs,
    connection,
    timestamps,
    sendErrors: v['send-errors'] === true,
    concurrency,
    timeoutMs: timeoutMs(v.timeout),
    format,
    dryRun: v['dry-run'] === true,
  };
}

/** Totals over every file, and (for JSON) the listed lines of each fate. */
interface Report {
  lines: number;
  accepted: number;
  rejected: number;
  held: number;
  /** Of `held`: lines held back for a timestamp outside the tenant's window (TS003), which a rebase may fix. */
  heldStale: number;
  /** Of `held`: lines held back for TS003 though rebased: a recording longer than the window. */
  heldStaleRebased: number;
  unknown: number;
  notSent: number;
  unlisted: number;
  warnings: number;
  requests: number;
  retries: number;
  stopped: string | null;
  listed: { file: string; line: number; column?: number; fate: string; message: string }[];
  truncated: number;
}

export async function runPush(
  argv: string[],
  { stdout: out, stdin, env, now: clock, signal }: CommandContext,
): Promise<number> {
  const settings = parsePushArgs(argv, env);
  if (settings === 'help') {
    out.write(PUSH_USAGE + '\n');
    return 0;
  }
  const report: Report = {
    lines: 0,
    accepted: 0,
    rejected: 0,
    held: 0,
    heldStale: 0,
    heldStaleRebased: 0,
    unknown: 0,
    notSent: 0,
    unlisted: 0,
    warnings: 0,
    requests: 0,
    retries: 0,
    stopped: null,
    listed: [],
    truncated: 0,
  };
  const say = (file: string, line: number, column: number | null, fate: string, message: string) => {
    if (settings.format === 'text')
      out.write(`${file}:${line + 1}${column !== null ? `:${column + 1}` : ''}  ${fate}  ${message}\n`);
    else if (report.listed.length < JSON_LIST_LIMIT)
      report.listed.push({ file, line: line + 1, ...(column !== null ? { column: column + 1 } : {}), fate, message });
    else report.truncated++;
  };
  for (const input of await readyInputs(settings.inputs, stdin))
    await pushFile(input, settings, report, say, clock, signal, out);
  const total = report.lines;
  const where = settings.connection.urls.ingest;
  const summary = settings.dryRun
    ? `dry run: ${fmt(total - report.held)} of ${plural(total, 'line')} would be sent to ${where}; ${fmt(report.held)} held back`
    : `${fmt(report.accepted)} of ${plural(total, 'line')} accepted by ${where}; ${fmt(report.rejected + report.unlisted)} rejected, ${fmt(report.held)} held back, ${fmt(report.unknown)} unknown, ${fmt(report.notSent)} not sent (${plural(report.requests, 'request')}, ${plural(report.retries, 'retry', 'retries')})`;
  if (settings.format === 'text') {
    if (report.unlisted > 0)
      out.write(
        `${plural(report.unlisted, 'more line was', 'more lines were')} rejected without the tenant saying which.\n`,
      );
    if (report.stopped) out.write(`stopped: ${report.stopped}\n`);
    if (report.heldStale > 0)
      out.write(
        'hint: --timestamps rebase shifts the timestamps of a file so that the newest is now (spacing kept), for lines held back by TS003\n',
      );
    if (report.heldStaleRebased > 0)
      out.write(
        'hint: rebased, the lines still held back by TS003 are more than the window older than the newest: send the recording in parts\n',
      );
    out.write(summary + '\n');
  } else {
    const { accepted, rejected, held, unknown, notSent, unlisted, warnings, requests, retries, stopped } = report;
    const counts = { accepted, rejected, held, unknown, notSent, unlisted, warnings, requests, retries, stopped };
    out.write(
      JSON.stringify(
        {
          url: where,
          dryRun: settings.dryRun,
          total,
          ...counts,
          lines: report.listed,
          ...(report.truncated > 0 ? { linesNotListed: report.truncated } : {}),
        },
        null,
        2,
      ) + '\n',
    );
  }
  const allAccepted = settings.dryRun
    ? report.held === 0
    : report.accepted === total &&
      report.rejected + report.unlisted + report.unknown + report.notSent + report.held === 0;
  return allAccepted ? 0 : 1;
}

/** Longer than any directive line: reading a line under way stops there. */
const DIRECTIVE_LINE_MAX = 4096;

/** The directives in a file's leading comments, read from its start; none for standard input, which is read once. */
async function directivesOf(input: ReadyInput): Promise<FileDirectives> {
  const reader = new DirectiveReader();
  if (input.kind === 'stdin') return reader.directives;
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of chunksOf(input)) {
    const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n');
    rest = lines.pop() ?? '';
    if (!lines.every((line) => reader.read(line))) break;
    // A line under way that is no comment (or is a comment too long for a directive) ends the leading comments:
    // the rest of a long line is never read here.
    const started = rest.trimStart();
    if (rest.length > DIRECTIVE_LINE_MAX || (started !== '' && started !== '/' && !started.startsWith('//'))) break;
  }
  return reader.directives;
}

async function pushFile(
  input: ReadyInput,
  settings: PushSettings,
  report: Report,
  say: (file: string, line: number, column: number | null, fate: string, message: string) => void,
  clock: () => number,
  signal: AbortSignal,
  out: Output,
): Promise<void> {
  const file = input.name;
  const source = () => chunksOf(input);
  const timestamps = settings.timestamps ?? (await directivesOf(input)).timestamps ?? 'as-written';
  let shiftMs: number | undefined;
  if (timestamps === 'rebase') {
    // First pass: the newest timestamp of the whole file, so every slice is shifted by the same amount.
    let newest = -Infinity;
    await read(
      file,
      source(),
      {
        text: (_, text) => {
          const t = millisecondTimestamp(text);
          if (t !== null && t > newest) newest = t;
        },
      },
      async () => undefined,
    );
    shiftMs = newest === -Infinity ? 0 : clock() - newest;
  }
  // Lines are planned as they are read (clean ones as bytes, never decoded), and their batches flow to the
  // pusher's workers through a bounded channel after each chunk: requests are in flight while the rest of the
  // file is read and checked.
  const planner = new PushPlanner({
    now: clock(),
    timestamps,
    sendErrors: settings.sendErrors,
    shiftMs,
  });
  const channel = new Channel<PushLine[]>(CHANNEL_BATCHES);
  let stopped = false;
  const unsent = { count: 0, first: -1 };
  const handOver = async (end: boolean) => {
    const ready = planner.take(end);
    report.lines += ready.held.length;
    report.held += ready.held.length;
    for (const h of ready.held) {
      if (h.code === 'TS003' && timestamps === 'rebase') report.heldStaleRebased++;
      else if (h.code === 'TS003') report.heldStale++;
      say(file, h.source, null, 'held back', `${h.code} ${h.message}`);
    }
    for (const batch of ready.batches) {
      // Lines not sent after a stop are counted once, with the rest of the file (countUnsent).
      if (stopped && !settings.dryRun) {
        countUnsent(batch.length, batch[0]?.source ?? 0);
        continue;
      }
      report.lines += batch.length;
      if (!settings.dryRun) await channel.put(batch);
    }
  };
  const countUnsent = (count: number, first: number) => {
    if (unsent.count === 0) unsent.first = first;
    unsent.count += count;
  };
  const pushing = settings.dryRun
    ? null
    : pushBatches(settings.connection, channel, {
        concurrency: settings.concurrency,
        timeoutMs: settings.timeoutMs,
        signal,
        clock,
        onStop: () => (stopped = true),
      });
  try {
    await read(
      file,
      source(),
      {
        // Once the push stopped, the rest of the file is counted, not checked, and reported as one entry.
        bytes: (index, buf, start, end) => !stopped && !signal.aborted && planner.addBytes(index, buf, start, end),
        text: (index, text) => {
          if (!stopped && !signal.aborted) planner.addText(index, text);
          else if (!isSkipped(text)) countUnsent(1, index);
        },
      },
      () => handOver(false),
    );
    await handOver(true);
  } finally {
    channel.close();
  }
  if (pushing) tally(await pushing, report, file, say);
  if (unsent.count > 0) {
    report.lines += unsent.count;
    report.notSent += unsent.count;
    say(
      file,
      unsent.first,
      null,
      'not sent',
      `${plural(unsent.count, 'line')} from here on: ${report.stopped ? `the push stopped (${report.stopped})` : 'cancelled'}`,
    );
  }
  await out.drain();
}

function tally(
  result: PushResult,
  report: Report,
  file: string,
  say: (file: string, line: number, column: number | null, fate: string, message: string) => void,
): void {
  report.accepted += result.accepted;
  report.rejected += result.rejected.length;
  report.unlisted += result.unlisted;
  report.unknown += result.unknown.length;
  report.notSent += result.notSent.length;
  report.warnings += result.warnings.length;
  report.requests += result.requests;
  report.retries += result.retries;
  report.stopped ??= result.stopped;
  const events: { line: number; column: number | null; fate: string; message: string }[] = [
    ...result.rejected.map((r) => ({ line: r.source, column: r.column, fate: 'rejected', message: r.error })),
    ...result.warnings.map((w) => ({ line: w.source, column: null, fate: 'warning', message: w.warning })),
    ...result.unknown.map((u) => ({ line: u.source, column: null, fate: 'unknown', message: u.reason })),
    // The fate is said once: the pusher's reasons start with it ("not sent: …") for callers that show them alone.
    ...result.notSent.map((n) => ({
      line: n.source,
      column: null,
      fate: 'not sent',
      message: n.reason.replace(/^not sent: /, ''),
    })),
  ];
  events.sort((a, b) => a.line - b.line);
  // A run of lines with one fate and reason (a batch not sent or unknown) is one entry, not one per line.
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as (typeof events)[number];
    let last = i;
    const bulk = e.fate === 'unknown' || e.fate === 'not sent';
    while (bulk && events[last + 1]?.fate === e.fate && events[last + 1]?.message === e.message) last++;
    const count = last - i + 1;
    say(
      file,
      e.line,
      e.column,
      e.fate,
      count > 1
        ? `${e.message} (${fmt(count)} lines, to line ${(events[last] as (typeof events)[number]).line + 1})`
        : e.message,
    );
    i = last;
  }
}

/**
 * Reads a source's lines (0-based numbers), offering each as bytes first when `lines.bytes` is given (true: taken),
 * else decoded; `afterChunk` is awaited between chunks.
 */
async function read(
  name: string,
  source: AsyncIterable<Uint8Array>,
  lines: {
    bytes?: (index: number, buf: Uint8Array, start: number, end: number) => boolean;
    text: (index: number, text: string) => void;
  },
  afterChunk: () => Promise<void>,
): Promise<void> {
  let index = 0;
  const sink: LineSink = {
    bytes: (buf, start, end) => {
      if (!lines.bytes?.(index, buf, start, end)) return false;
      index++;
      return true;
    },
    text: (text) => lines.text(index++, text),
  };
  try {
    await readLines(source, sink, afterChunk);
  } catch (error) {
    throw new UserError(`cannot read '${name}': ${describeSystemError(error)}`);
  }
}

const fmt = (n: number): string => n.toLocaleString('en-US');
