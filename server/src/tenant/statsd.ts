/**
 * The OneAgent's StatsD listener in the local tenant (INGEST-PATHS §2.1: UDP on localhost, port 18125, DogStatsD
 * tags): datagrams go into one StatsD converter (core/convert/statsd.ts), whose aggregates are flushed every
 * interval, stamped with the flush time, and stored as lines sent to the ingest API are. An edge: the socket and
 * the timer are here, the aggregation in the core.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createStatsdConverter, type StatsdConverter } from '#core/convert/statsd.ts';
import type { ConversionNote } from '#core/convert/model.ts';
import type { IngestAnswer } from '#core/metrics/ingest.ts';
import { plural } from '#core/text.ts';

/** The OneAgent listener's port (INGEST-PATHS §2.1). */
export const STATSD_PORT = 18_125;
/** The notes of datagrams not converted an interval hands to the journal: a flood of bad datagrams stays bounded. */
const SKIPPED_KEPT = 1000;

/** StatsD servers flush every 10 s (etsy StatsD's `flushInterval`, the Datadog Agent's aggregation interval). */
export const STATSD_FLUSH_SECONDS = 10;
/** Bounds the memory of warnings said (one per metric key at most, in practice). */
const MAX_WARNINGS_REMEMBERED = 10_000;

export interface StatsdOptions {
  /** 0: any free port. */
  port: number;
  flushMs: number;
  clock: () => number;
  log: (line: string) => void;
  /**
   * Stores a flush's lines (`\n`-separated) received at `now`, as the ingest API stores a request's; `skipped`: the
   * interval's datagrams not converted (the first SKIPPED_KEPT notes, the rest counted in a last one), for the ingest
   * journal.
   */
  store: (lines: string, now: number, skipped: readonly ConversionNote[]) => Promise<IngestAnswer>;
}

/** What one flush did: datagrams aggregated since the last one, lines written, and the ingest answer's counts. */
export interface StatsdFlush {
  datagrams: number;
  lines: number;
  linesOk: number;
  linesInvalid: number;
}

export interface StatsdListener {
  port: number;
  flushMs: number;
  /** Datagrams received since the start (a client may wait for its own before it asks for a flush). */
  readonly received: number;
  /** Writes and stores what the interval holds now, and starts a new interval. */
  flush(): Promise<StatsdFlush>;
  /** Stops listening and flushes what is held. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:`port`; rejects with the socket's error (EADDRINUSE) when it cannot bind. */
export async function startStatsdListener(options: StatsdOptions): Promise<StatsdListener> {
  const { clock, log } = options;
  const lines: string[] = [];
  /** The interval's datagrams not converted, for the journal (they are logged as they come). */
  const skipped: ConversionNote[] = [];
  const converter: StatsdConverter = createStatsdConverter({
    line: (text) => lines.push(text),
    note: (note) => {
      log(`StatsD: ${describeNote(note)}`);
      if (note.kind !== 'skipped') return;
      if (skipped.length < SKIPPED_KEPT) skipped.push(note);
      // Past the notes kept, their datagrams still count: one note carries them all.
      else if (skipped.length === SKIPPED_KEPT)
        skipped.push({ ...note, item: 'more datagrams', message: 'not converted for other reasons (see the log)' });
      else (skipped[SKIPPED_KEPT] as ConversionNote).count += note.count;
    },
    naming: () => undefined,
  });
  // The tenant's warnings said so far: a counter's `.count` rename would otherwise come back every flush.
  const warned = new Set<string>();
  let received = 0;
  let datagramsAtFlush = 0;
  const socket: Socket = createSocket('udp4');
  socket.on('message', (packet) => {
    // A packet may carry several datagrams, one per line (DogStatsD, hot-shots' buffering).
    for (const datagram of packet.toString('utf8').split('\n')) {
      if (datagram.trim() === '') continue;
      received++;
      converter.line(datagram, received);
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // A socket error once bound (none is expected on loopback) is said, and the listener goes on.
  socket.on('error', (error) => log(`StatsD: socket error: ${error.message}`));
  const port = socket.address().port;

  const flush = async (): Promise<StatsdFlush> => {
    const now = clock();
    converter.flush(now);
    const written = lines.splice(0);
    const datagrams = received - datagramsAtFlush;
    datagramsAtFlush = received;
    const notConverted = skipped.splice(0);
    if (written.length === 0 && notConverted.length === 0) return { datagrams, lines: 0, linesOk: 0, linesInvalid: 0 };
    const answer = await options.store(written.join('\n'), now, notConverted);
    const linesOk = answer.body.linesOk ?? answer.body.linesValid ?? 0;
    const { linesInvalid } = answer.body;
    log(
      `StatsD flush: ${plural(datagrams, 'datagram')} → ${plural(written.length, 'line')}, ${linesOk.toLocaleString('en-US')} stored`,
    );
    for (const { line, error } of answer.body.error?.invalidLines ?? [])
      log(`StatsD flush: line refused: ${error} (${written[line - 1] ?? ''})`);
    for (const { warning } of answer.body.warnings?.warningLines ?? [])
      if (!warned.has(warning) && warned.size < MAX_WARNINGS_REMEMBERED) {
        warned.add(warning);
        log(`StatsD flush: ${warning}`);
      }
    return { datagrams, lines: written.length, linesOk, linesInvalid };
  };

  /** A flush nobody waits for (the timer's, the last one): its failure is said. */
  const flushLogged = (): Promise<unknown> =>
    flush().catch((error: unknown) => log(`StatsD flush failed, its lines are lost: ${(error as Error).message}`));
  const timer = setInterval(flushLogged, options.flushMs);
  // The HTTP server keeps the process alive; the timer alone must not.
  timer.unref();
  let closed: Promise<void> | null = null;
  return {
    port,
    flushMs: options.flushMs,
    get received() {
      return received;
    },
    flush,
    // Closed once: a second close (a stop asked twice) waits for the first.
    close: () =>
      (closed ??= (async () => {
        clearInterval(timer);
        await new Promise<void>((resolve) => socket.close(() => resolve()));
        await flushLogged();
      })()),
  };
}

/** What `GET /_dtmetrics/statsd` answers: where the listener is, how often it flushes, what it received. */
export const describeStatsd = (listener: StatsdListener) => ({
  host: '127.0.0.1',
  port: listener.port,
  flushSeconds: listener.flushMs / 1000,
  received: listener.received,
});

/** A converter's note as a log line: what it is about, how many datagrams, and the message. */
function describeNote(note: ConversionNote): string {
  const what = note.kind === 'skipped' ? `${plural(note.count, 'datagram')} skipped` : note.kind;
  return `${what}: ${note.item}: ${note.message}`;
}
