/**
 * `dtmetrics convert`: a thin adapter from a file or standard input to the core's converters (core/convert/): metric
 * lines on standard output as they are made, what was not converted on standard error (or both in one JSON document),
 * streamed, so an input of any size converts in bounded memory. OTLP protobuf, a binary request, is read whole.
 */
import { isUtf8 } from 'node:buffer';
import {
  CheckedSink,
  conversionHeader,
  createConverter,
  namingComment,
  packedText,
  SNIFF_BYTES,
  sniffFormat,
} from '#core/convert/index.ts';
import { convertOtlpProtobuf } from '#core/convert/otlp.ts';
import {
  ITEM_NOUNS,
  SOURCE_FORMATS,
  type ConversionNote,
  type ConversionTally,
  type NamingPreview,
  type SourceFormat,
} from '#core/convert/model.ts';
import { parseInstant } from '#core/time.ts';
import { plural, shortText } from '#core/text.ts';
import { describeSystemError, UserError } from '#edge/errors.ts';
import type { CommandContext } from './context.ts';
import { parseCommandLine, timeOption } from './options.ts';
import { LINE_BUFFER_LIMIT, readAhead, readChunks, readLines } from './read-lines.ts';
import { VERSION } from './version.ts';

const CONVERT_USAGE = `Usage: dtmetrics convert [options] <file|->

Converts what other tools emit into Dynatrace metric lines, written to standard output:
Prometheus or OpenMetrics exposition, StatsD or DogStatsD datagrams, OTLP metrics (an
ExportMetricsServiceRequest in protobuf or JSON) and JSON data points. What was not converted,
and why, goes to standard error; every line written is linted.

Options:
  --from <format>       auto, ${SOURCE_FORMATS.join(', ')} (default: auto, which says what it chose)
  --previous <file>     Prometheus/OpenMetrics: the scrape before this one, so counters become increases
  --buckets             Prometheus/OpenMetrics: histogram buckets too, one series per bucket (\`_bucket\` by \`le\`)
  --resource-attributes <keys>
                        OTLP: keep only these resource and scope attributes (comma-separated), as
                        Dynatrace Classic's allow-list does (default: all, as Dynatrace on Grail)
  --format <text|json>  text: lines on stdout, the report on stderr; json: one document with both
  --now <time>          check the lines' timestamps against this instant (default: the clock)
  -h, --help            show this help

Exit codes: 0 all converted, 1 something not converted or a line a tenant would refuse, 2 usage or I/O error.`;

const FORMATS = ['text', 'json'] as const;
/** The most a request read whole (OTLP protobuf) may have: Dynatrace takes 4 MB. */
const WHOLE_REQUEST_MAX_BYTES = 64 << 20;
/** What to do with a line longer than convert reads, by format. */
const TOO_LONG_HINTS: Record<SourceFormat, string> = {
  json: "write one value per line (NDJSON: `jq -c '.[]'`)",
  otlp: 'Dynatrace takes OTLP requests of up to 4 MB: send smaller ones, or protobuf',
  prometheus: 'no sample is that long: is it the right file?',
  openmetrics: 'no sample is that long: is it the right file?',
  statsd: 'no datagram is that long: is it the right file?',
};
/** Notes a JSON report holds; past it, only their number (a text report streams them all to stderr). */
const JSON_NOTES_MAX = 10_000;

interface ConvertSettings {
  from: SourceFormat | 'auto';
  previous: string | null;
  buckets: boolean;
  resourceAttributes: readonly string[] | undefined;
  format: (typeof FORMATS)[number];
  now: number;
  input: string;
}

function parseConvertArgs(argv: string[], clock: () => number): ConvertSettings | 'help' {
  const parsed = parseCommandLine('convert', {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      from: { type: 'string' },
      previous: { type: 'string' },
      buckets: { type: 'boolean' },
      'resource-attributes': { type: 'string' },
      format: { type: 'string' },
      now: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const v = parsed.values;
  if (v.help) return 'help';
  const from = v.from ?? 'auto';
  if (from !== 'auto' && !(SOURCE_FORMATS as readonly string[]).includes(from))
    throw new UserError(`--from must be auto or one of ${SOURCE_FORMATS.join(', ')}, not '${from}'`);
  const format = v.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UserError(`--format must be one of ${FORMATS.join(', ')}, not '${format}'`);
  if (parsed.positionals.length !== 1)
    throw new UserError(
      parsed.positionals.length === 0
        ? "no input given: name a file, or '-' for standard input (try 'dtmetrics convert metrics.txt')"
        : `one input at a time, not ${parsed.positionals.length} (convert each file on its own)`,
    );
  return {
    from: from as ConvertSettings['from'],
    previous: v.previous ?? null,
    buckets: v.buckets ?? false,
    resourceAttributes: attributeKeys(v['resource-attributes']),
    format: format as ConvertSettings['format'],
    now: v.now === undefined ? clock() : timeOption(parseInstant(v.now, '--now', clock())),
    input: parsed.positionals[0] as string,
  };
}

/** `--resource-attributes k1,k2`: the keys, at least one (an empty list would drop every resource attribute unsaid). */
function attributeKeys(option: string | undefined): string[] | undefined {
  if (option === undefined) return undefined;
  const keys = option
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
  if (keys.length === 0)
    throw new UserError('--resource-attributes takes attribute keys, such as service.name,host.name (none were given)');
  return keys;
}

/** A read that failed for the system's reasons (a file gone, a pipe broken): a usage error; anything else is ours. */
function readError(name: string, error: unknown): never {
  if (error instanceof UserError) throw error;
  if (error instanceof Error && 'syscall' in error)
    throw new UserError(`cannot read '${name}': ${describeSystemError(error)}`);
  throw error;
}

/** A request read whole (OTLP protobuf), up to WHOLE_REQUEST_MAX_BYTES. */
async function wholeOf(chunks: AsyncIterable<Uint8Array>, name: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of chunks) {
      size += chunk.length;
      if (size > WHOLE_REQUEST_MAX_BYTES)
        throw new UserError(
          `'${name}' is over ${WHOLE_REQUEST_MAX_BYTES >> 20} MB: an OTLP request that size is not one Dynatrace takes (4 MB)`,
        );
      parts.push(Buffer.from(chunk));
    }
  } catch (error) {
    readError(name, error);
  }
  return Buffer.concat(parts);
}

/** Whether bytes are not text: not UTF-8 (a character cut at the end aside), or a control byte but tab, CR, LF. */
function isBinary(head: Uint8Array): boolean {
  // eslint-disable-next-line no-control-regex -- the control bytes are what is looked for
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(Buffer.from(head).toString('latin1'))) return true;
  for (let cut = 0; cut < 4 && cut < head.length; cut++) if (isUtf8(head.subarray(0, head.length - cut))) return false;
  return head.length > 0;
}

/** Binary input that is no OTLP request but text packed otherwise (gzip, UTF-16): what to do instead, or null. */
function packedMessage(name: string, head: Uint8Array): string | null {
  const packed = packedText(head);
  if (packed === null) return null;
  const gunzip = packed.what === 'gzip-compressed';
  const how = !gunzip
    ? ''
    : name === '-'
      ? ' (… | gunzip -c | dtmetrics convert -)'
      : ` (gunzip -c '${name}' | dtmetrics convert -)`;
  return `${name === '-' ? 'standard input' : `'${name}'`} is ${packed.what}: ${packed.todo}${how}`;
}

/** The first character of text that is not a space (or a byte order mark). */
const firstCharacter = (text: string): string => /[^\s\uFEFF]/.exec(text)?.[0] ?? '';

/** The previous scrape's lines; refused when it is plainly not a scrape (JSON, StatsD, binary). */
async function readPrevious(path: string): Promise<string[]> {
  const { head, chunks } = await readAhead(readChunks(path), SNIFF_BYTES, path);
  const binary = isBinary(head);
  const packed = binary ? packedMessage(path, head) : null;
  if (packed !== null) throw new UserError(`--previous ${packed}`);
  const sniffed = sniffFormat(new TextDecoder().decode(head), binary)?.format;
  if (binary || (sniffed !== undefined && sniffed !== 'prometheus' && sniffed !== 'openmetrics'))
    throw new UserError(`--previous '${path}' is not a Prometheus scrape (it reads as ${binary ? 'binary' : sniffed})`);
  const lines: string[] = [];
  try {
    await readLines(chunks, { bytes: () => false, text: (line) => lines.push(line) }, async () => {});
  } catch (error) {
    readError(path, error);
  }
  return lines;
}

/** The report of a text run, on stderr as it comes: `file:line: \`item\`: message`. */
function noteText(name: string, note: ConversionNote, noun: string): string {
  const where = note.line > 0 ? `${name}:${note.line}` : name;
  const what = note.kind === 'skipped' ? `${note.count > 1 ? plural(note.count, noun) + ' ' : ''}not converted: ` : '';
  return `${where}: \`${shortText(note.item, 80)}\`: ${what}${note.message}\n`;
}

export async function runConvert(argv: string[], context: CommandContext): Promise<number> {
  const { stdout: out, stderr } = context;
  const settings = parseConvertArgs(argv, context.now);
  if (settings === 'help') {
    out.write(CONVERT_USAGE + '\n');
    return 0;
  }
  const { input } = settings;
  const { head, chunks } = await readAhead(input === '-' ? context.stdin : readChunks(input), SNIFF_BYTES, input);
  const binary = isBinary(head);
  const packed = binary ? packedMessage(input, head) : null;
  if (packed !== null) throw new UserError(packed);
  const headText = new TextDecoder().decode(head);
  let format: SourceFormat;
  let sniffed: string | null = null;
  if (settings.from === 'auto') {
    const found = sniffFormat(headText, binary);
    if (found === null)
      throw new UserError(`cannot tell what format '${input}' is in: say it with --from ${SOURCE_FORMATS.join('|')}`);
    format = found.format;
    sniffed = found.reason;
  } else format = settings.from;
  const scraped = format === 'prometheus' || format === 'openmetrics';
  if (!scraped && (settings.previous !== null || settings.buckets))
    throw new UserError(
      `${settings.previous !== null ? '--previous' : '--buckets'} is for Prometheus or OpenMetrics input, not ${format}`,
    );
  if (format !== 'otlp' && settings.resourceAttributes !== undefined)
    throw new UserError(`--resource-attributes is for OTLP input, not ${format}`);
  if (binary && format !== 'otlp')
    throw new UserError(`'${input}' is binary, not ${format} text (only OTLP requests come as protobuf)`);
  const first = firstCharacter(headText);
  if (!binary && (format === 'json' || format === 'otlp') && first !== '' && first !== '{' && first !== '[')
    throw new UserError(`'${input}' is not JSON: it starts with \`${first}\``);
  const previous = settings.previous === null ? null : await readPrevious(settings.previous);
  // A request read whole is read before anything is written: a failure leaves no half a report behind.
  const request = format === 'otlp' && binary ? await wholeOf(chunks, input) : null;
  if (sniffed !== null && settings.format === 'text')
    stderr.write(`dtmetrics convert: reading ${input} as ${format} (${sniffed})\n`);

  const noun = ITEM_NOUNS[format];
  const json = settings.format === 'json';
  const notes: ConversionNote[] = [];
  const namings: NamingPreview[] = [];
  let notesLeftOut = 0;
  let linesWritten = 0;
  const at = new Date(settings.now).toISOString();
  if (json)
    out.write(
      `{"from":${JSON.stringify(format)},"sniffed":${JSON.stringify(sniffed)},"input":${JSON.stringify(input)},"at":"${at}","lines":[`,
    );
  else out.write(conversionHeader(input === '-' ? 'standard input' : input, format, sniffed, at, VERSION) + '\n');
  const sink = new CheckedSink(
    {
      line: (text) => {
        out.write(json ? `${linesWritten > 0 ? ',' : ''}${JSON.stringify(text)}` : text + '\n');
        linesWritten++;
      },
      note: (note) => {
        if (!json) stderr.write(noteText(input, note, noun));
        else if (notes.length < JSON_NOTES_MAX) notes.push(note);
        else notesLeftOut++;
      },
      naming: (naming) => {
        if (json) namings.push(naming);
        else {
          const comment = namingComment(naming);
          if (comment) out.write(comment + '\n');
        }
      },
    },
    { now: settings.now },
  );

  const options = {
    previous,
    histogramBuckets: settings.buckets,
    resourceAttributes: settings.resourceAttributes,
  };
  let tally: ConversionTally;
  if (request !== null) tally = convertOtlpProtobuf(request, sink, options);
  else {
    const converter = createConverter(format, sink, options);
    // A line past what is read of one line is not handed on cut (a JSON value or a sample would be misread): the
    // value it is part of is not converted, or the line is one item not converted, saying why.
    let cutLines = 0;
    let lineNumber = 0;
    const text = (line: string, length: number) => {
      lineNumber++;
      if (length <= line.length) return converter.line(line, lineNumber);
      if (converter.interrupt?.(lineNumber)) return;
      cutLines++;
      sink.note({
        kind: 'skipped',
        line: lineNumber,
        item: shortText(line, 80),
        count: 1,
        message: `a line of ${plural(length, 'character')}, longer than convert reads (${LINE_BUFFER_LIMIT / 1e6} MB): ${TOO_LONG_HINTS[format]}`,
      });
    };
    try {
      await readLines(chunks, { bytes: () => false, text }, () => out.drain());
    } catch (error) {
      readError(input, error);
    }
    converter.end();
    const t = converter.tally;
    tally = { items: t.items + cutLines, converted: t.converted, skipped: t.skipped + cutLines };
  }

  const summary = `converted ${tally.converted.toLocaleString('en-US')} of ${plural(tally.items, noun)} into ${plural(linesWritten, 'line')}${
    tally.skipped > 0 ? `; ${tally.skipped.toLocaleString('en-US')} not converted` : ''
  }${sink.refusedLines > 0 ? `; ${plural(sink.refusedLines, 'line')} a tenant would refuse` : ''}`;
  if (json) {
    out.write(
      `],"tally":${JSON.stringify({ ...tally, lines: linesWritten, refused: sink.refusedLines })},` +
        `"naming":${JSON.stringify(namings)},"notes":${JSON.stringify(notes)},"notesLeftOut":${notesLeftOut}}\n`,
    );
  } else stderr.write(`dtmetrics convert: ${summary}\n`);
  return tally.skipped > 0 || sink.refusedLines > 0 ? 1 : 0;
}
