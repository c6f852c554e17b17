/**
 * OTLP ingest against line ingest, per data point: the same data points sent to one running local tenant (the built
 * `dtmetrics serve`, in memory) as OTLP protobuf requests (`POST /api/v2/otlp/v1/metrics`, plain and gzipped) and as
 * metric-line requests (`POST /api/v2/metrics/ingest`), in rounds that take turns, as a ratio. The line bodies are
 * the OTLP requests as the tenant's own converter writes them, so both store the same points under the same keys;
 * each format has its own `bench.format` resource attribute, so neither lands in the other's series. Bodies are
 * made before the clock starts: what is timed is the tenant's work plus loopback HTTP.
 *
 *   npm run build && node --import tsx bench/ingest-otlp.ts
 *
 * BENCH_CPU_PROF=DIR writes a CPU profile of the tenant (node --cpu-prof) when it stops. BENCH_CLI=path/to/cli.js
 * measures another build (dist/cli.js built at an older commit), for a before-and-after: each run has its own lines.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Agent, request } from 'undici';
import { convertOtlpRequest } from '#core/convert/otlp.ts';
import type { OtlpKeyValue, OtlpMetric, OtlpNumberDataPoint, OtlpRequest } from '#core/convert/otlp-model.ts';
import { TEMPORALITY } from '#core/convert/otlp-model.ts';
import { LIMITS } from '#core/rules.ts';
import { otlpToProtobuf } from '../test/core/otlp-encode.ts';
import { reportHeader, runBenchmark, writeReportSection } from './report-header.ts';
import { Rng } from './rng.ts';
import { CONCURRENCY, median, startTenant } from './tenant-load.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = process.env.BENCH_CLI ? resolve(process.env.BENCH_CLI) : join(ROOT, 'dist', 'cli.js');
const RESULTS = join(ROOT, 'bench', 'INGEST-RESULTS.md');
const COMMAND = 'npm run build && node --import tsx bench/ingest-otlp.ts';
/** Services (resources) × metrics × attribute sets: the series of one format. */
const SERVICES = 10;
const ATTRIBUTE_SETS = 5;
/** Points per series in one request: a collector's batch of several export intervals. */
const INTERVALS = 7;
const REQUESTS_PER_ROUND = 40;
const ROUNDS = 5;
const TARGET_RATIO = 1;

type Format = 'otlp' | 'otlp-gzip' | 'lines';
const FORMATS: readonly Format[] = ['otlp', 'lines', 'otlp-gzip'];

const str = (key: string, value: string): OtlpKeyValue => ({ key, value: { type: 'string', value } });
const int = (key: string, value: number): OtlpKeyValue => ({ key, value: { type: 'int', value: BigInt(value) } });

/** The metrics of each service: delta sums (counters) with int and double values, and gauges. */
const METRICS: { name: string; unit: string; kind: 'delta' | 'gauge'; int: boolean }[] = [
  { name: 'http.server.request.count', unit: '{request}', kind: 'delta', int: true },
  { name: 'http.server.response.body.size', unit: 'By', kind: 'delta', int: false },
  { name: 'db.client.operation.count', unit: '{operation}', kind: 'delta', int: true },
  { name: 'http.server.active_requests', unit: '{request}', kind: 'gauge', int: true },
  { name: 'process.cpu.utilization', unit: '1', kind: 'gauge', int: false },
  { name: 'jvm.memory.used', unit: 'By', kind: 'gauge', int: true },
];
const ROUTES = ['/api/cart', '/api/checkout', '/api/items/{id}', '/health', '/api/users/{id}/orders'];
const METHODS = ['GET', 'POST', 'GET', 'GET', 'PUT'];
const STATUS = [200, 201, 200, 204, 500];

/**
 * One request: SERVICES resources (as an OTel Collector's batch of several SDKs' exports) × METRICS × ATTRIBUTE_SETS
 * series, INTERVALS points each, 10 s apart and ending a minute before `now`.
 */
function makeRequest(format: string, now: number, rng: Rng): OtlpRequest {
  const endNs = BigInt(now - 60_000) * 1_000_000n;
  const times = Array.from({ length: INTERVALS }, (_, i) => endNs - BigInt((INTERVALS - 1 - i) * 10_000) * 1_000_000n);
  return {
    resourceMetrics: Array.from({ length: SERVICES }, (_, s) => ({
      resource: {
        attributes: [
          str('service.name', `shop-${['cart', 'checkout', 'catalog', 'users', 'payments'][s % 5]}-${s}`),
          str('service.instance.id', `6f1c2a4e-${String(s).padStart(4, '0')}-4c1d-9e2f-1b7d3a5c8e90`),
          str('host.name', `ip-10-0-${s}-17.eu-west-1.compute.internal`),
          str('deployment.environment', 'production'),
          str('telemetry.sdk.language', s % 2 === 0 ? 'nodejs' : 'java'),
          str('telemetry.sdk.version', '1.30.0'),
          str('bench.format', format),
        ],
        droppedAttributesCount: 0,
      },
      schemaUrl: '',
      scopeMetrics: [
        {
          scope: {
            name: '@opentelemetry/instrumentation-http',
            version: '0.57.0',
            attributes: [],
            droppedAttributesCount: 0,
          },
          schemaUrl: '',
          metrics: METRICS.map((m): OtlpMetric => {
            const dataPoints: OtlpNumberDataPoint[] = [];
            for (let a = 0; a < ATTRIBUTE_SETS; a++)
              for (const timeUnixNano of times) {
                const value = m.int ? BigInt(rng.int(10_000)) : Math.round(rng.next() * 1e6) / 100;
                dataPoints.push({
                  attributes: [
                    str('http.route', ROUTES[a] as string),
                    str('http.request.method', METHODS[a] as string),
                    int('http.response.status_code', STATUS[a] as number),
                  ],
                  startTimeUnixNano: timeUnixNano - 10_000_000_000n,
                  timeUnixNano,
                  flags: 0,
                  value,
                });
              }
            return {
              name: m.name,
              description: '',
              unit: m.unit,
              metadata: [],
              data:
                m.kind === 'delta'
                  ? { type: 'sum', dataPoints, aggregationTemporality: TEMPORALITY.delta, isMonotonic: true }
                  : { type: 'gauge', dataPoints },
            };
          }),
        },
      ],
    })),
  };
}

const POINTS = SERVICES * METRICS.length * ATTRIBUTE_SETS * INTERVALS;

/** A request's body in each format, and the data points it carries. */
interface Bodies {
  body: Uint8Array | string;
  bytes: number;
}

function makeBodies(format: Format, now: number, seed: number): Bodies[] {
  const rng = new Rng(seed);
  return Array.from({ length: REQUESTS_PER_ROUND }, () => {
    const otlp = makeRequest(format === 'lines' ? 'lines' : format, now, rng);
    if (format === 'lines') {
      const lines: string[] = [];
      const tally = convertOtlpRequest(
        otlp,
        { line: (text) => void lines.push(text), note: () => undefined, naming: () => undefined },
        1,
        { histogramSuffix: true },
      );
      if (tally.converted !== POINTS) throw new Error(`converted ${tally.converted} of ${POINTS} points`);
      const body = lines.join('\n');
      const bytes = Buffer.byteLength(body);
      if (bytes > LIMITS.requestMaxBytes) throw new Error(`a line body of ${bytes} bytes is over the API's limit`);
      return { body, bytes };
    }
    const protobuf = otlpToProtobuf(otlp);
    const body = format === 'otlp-gzip' ? gzipSync(protobuf) : protobuf;
    return { body, bytes: body.length };
  });
}

const HEADERS: Record<Format, Record<string, string>> = {
  otlp: { 'Content-Type': 'application/x-protobuf' },
  'otlp-gzip': { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' },
  lines: { 'Content-Type': 'text/plain; charset=utf-8' },
};

/** POSTs the bodies with CONCURRENCY in flight on one pool, each answer checked to store every point; ms. */
async function send(url: string, format: Format, bodies: Bodies[]): Promise<number> {
  const path = format === 'lines' ? '/api/v2/metrics/ingest' : '/api/v2/otlp/v1/metrics';
  const agent = new Agent({ connections: CONCURRENCY });
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < bodies.length; i = next++) {
      const answer = await request(url + path, {
        method: 'POST',
        body: (bodies[i] as Bodies).body,
        headers: HEADERS[format],
        dispatcher: agent,
      });
      const text = await answer.body.text();
      const stored =
        format === 'lines'
          ? answer.statusCode === 202 && (JSON.parse(text) as { linesOk: number }).linesOk === POINTS
          : answer.statusCode === 200 && text === '';
      if (!stored) throw new Error(`${format}: ${answer.statusCode} ${text.slice(0, 500)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - started;
  await agent.close();
  return ms;
}

async function main(): Promise<void> {
  const profileDir = process.env.BENCH_CPU_PROF;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', resolve(profileDir)] : [];
  const tenant = await startTenant(CLI, ['--no-statsd'], nodeArgs);
  const now = Date.now();
  const bodies = new Map(FORMATS.map((format, i) => [format, makeBodies(format, now, 7 + i)] as const));
  const ms = new Map<Format, number[]>(FORMATS.map((format) => [format, []]));
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      // Each round starts with the next format, so no format always follows the same one.
      const order = FORMATS.map((_, i) => FORMATS[(i + round) % FORMATS.length] as Format);
      const times: string[] = [];
      for (const format of order) {
        const took = await send(tenant.url, format, bodies.get(format) ?? []);
        times.push(`${format} ${took.toFixed(0)} ms`);
        // The first round warms the tenant up (JIT, series creation); it is not counted.
        if (round > 0) ms.get(format)?.push(took);
      }
      process.stdout.write(`round ${round}: ${times.join(', ')}\n`);
    }
  } finally {
    await tenant.stop();
  }
  const points = POINTS * REQUESTS_PER_ROUND;
  const rate = (format: Format) => points / (median(ms.get(format) ?? []) / 1000);
  const perRound = (format: Format) =>
    (ms.get('lines') ?? []).map((lines, i) => lines / ((ms.get(format) ?? [])[i] as number));
  const ratios = perRound('otlp');
  const ratio = median(ratios);
  const gzipRatios = perRound('otlp-gzip');
  const bytes = (format: Format) =>
    (bodies.get(format) ?? []).reduce((sum, b) => sum + b.bytes, 0) / REQUESTS_PER_ROUND;
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  const row = (name: string, format: Format) =>
    `| ${name} | ${n(bytes(format))} | ${median(ms.get(format) ?? []).toFixed(0)} | ${n(rate(format))} |`;
  const markdown = [
    ...reportHeader('OTLP ingest vs line ingest, per data point', COMMAND),
    `The same data points to one local tenant (\`dtmetrics serve --no-statsd\`, in memory) over loopback HTTP (undici, ${CONCURRENCY} requests in flight): ${REQUESTS_PER_ROUND} requests a round of ${n(POINTS)} data points each (${SERVICES} services as resources with 7 attributes each × ${METRICS.length} metrics — delta sums of ints and doubles, gauges — × ${ATTRIBUTE_SETS} sets of 3 point attributes: ${SERVICES * METRICS.length * ATTRIBUTE_SETS} series, ${INTERVALS} points each, 10 s apart), as OTLP protobuf, the same gzipped, and as the metric lines the tenant's converter makes of them (resource attributes as dimensions, as the OTLP endpoint stores them). Each format has its own series. Every answer must store every point. Median of ${ROUNDS} rounds after one untimed round; the formats take turns, each round starting with the next.`,
    '',
    '| Request body | Bytes per request | Time a round (ms) | Data points/s |',
    '|---|--:|--:|--:|',
    row('metric lines, `POST /api/v2/metrics/ingest`', 'lines'),
    row('OTLP protobuf, `POST /api/v2/otlp/v1/metrics`', 'otlp'),
    row('OTLP protobuf gzipped (`Content-Encoding: gzip`)', 'otlp-gzip'),
    '',
    `**OTLP ÷ lines, per data point: ${pct(ratio)}** (target ≥ ${pct(TARGET_RATIO)}: ${ratio >= TARGET_RATIO ? '**met**' : '**missed**'}); per round: ${ratios.map(pct).join(', ')}. Gzipped OTLP ÷ lines: ${pct(median(gzipRatios))}; per round: ${gzipRatios.map(pct).join(', ')}.`,
    '',
    ...FORMATS.map(
      (format) => `${format} rounds (ms): ${(ms.get(format) ?? []).map((x) => x.toFixed(0)).join(', ')}.  `,
    ),
    '',
  ].join('\n');
  writeReportSection(RESULTS, 'Ingest benchmarks', markdown);
}

runBenchmark(main);
