/**
 * OTLP ingest against line ingest, per data point: the same data points sent to one running local tenant (the built
 * `dtmetrics serve`, in memory) as OTLP protobuf requests (`POST /api/v2/otlp/v1/metrics`, plain and gzipped) and as
 * metric-line requests (`POST /api/v2/metrics/ingest`), in rounds that take turns, as a ratio. The line bodies are
 * the OTLP requests as the tenant's own converter writes them, so both store the same points under the same keys;
 * each format has its own `bench.format` resource attribute, so neither lands in the other's series. Bodies are
 * made before the clock starts: what is timed is the tenant's work plus loopback HTTP. Two workloads (WORKLOADS),
 * one after the other in the same tenant: a collector's batch of several export intervals per series, and one
 * export interval (one point per series, every series of the request distinct, the requests successive intervals).
 *
 *   npm run build && node --import tsx bench/ingest-otlp.ts
 *
 * BENCH_CPU_PROF=DIR writes a CPU profile of the tenant (node --cpu-prof) when it stops; BENCH_WORKLOAD=batch or
 * interval runs only that one (a profile of one workload). BENCH_CLI=path/to/cli.js measures another build
 * (dist/cli.js built at an older commit), for a before-and-after: each run has its own lines.
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
/** The shape of a workload's requests: services (resources) × metrics × attribute sets series, `intervals` points each. */
interface Workload {
  name: 'batch' | 'interval';
  services: number;
  attributeSets: number;
  intervals: number;
  /** Whether a round's requests are successive export intervals (else each carries the same intervals). */
  successive: boolean;
  about: string;
}
const WORKLOADS: readonly Workload[] = [
  {
    name: 'batch',
    services: 10,
    attributeSets: 5,
    intervals: 7,
    successive: false,
    about:
      'a batch of export intervals per series: a collector batching several exports, each series’ 7 points in a row, the same 300 series and times in every request',
  },
  {
    name: 'interval',
    services: 10,
    attributeSets: 35,
    intervals: 1,
    successive: true,
    about:
      'one export interval: one point per series, the 2,100 series of a request all distinct (35 attribute sets a metric, as an app with many routes exports them), the same series in every request, each request the next interval (10 s on)',
  },
];
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
 * Request `index` of a round: the workload's services as resources (as an OTel Collector's batch of several SDKs'
 * exports) × METRICS × attribute sets series, `intervals` points each, 10 s apart, ending a minute before `now` (the
 * last request's, when the requests are successive intervals).
 */
function makeRequest(workload: Workload, format: string, index: number, now: number, rng: Rng): OtlpRequest {
  const { intervals } = workload;
  const later = workload.successive ? REQUESTS_PER_ROUND - 1 - index : 0;
  const endNs = BigInt(now - 60_000 - later * 10_000) * 1_000_000n;
  const times = Array.from({ length: intervals }, (_, i) => endNs - BigInt((intervals - 1 - i) * 10_000) * 1_000_000n);
  return {
    resourceMetrics: Array.from({ length: workload.services }, (_, s) => ({
      resource: {
        attributes: [
          str('service.name', `shop-${['cart', 'checkout', 'catalog', 'users', 'payments'][s % 5]}-${s}`),
          str('service.instance.id', `6f1c2a4e-${String(s).padStart(4, '0')}-4c1d-9e2f-1b7d3a5c8e90`),
          str('host.name', `ip-10-0-${s}-17.eu-west-1.compute.internal`),
          str('deployment.environment', 'production'),
          str('telemetry.sdk.language', s % 2 === 0 ? 'nodejs' : 'java'),
          str('telemetry.sdk.version', '1.30.0'),
          str('bench.format', `${workload.name} ${format}`),
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
            for (let a = 0; a < workload.attributeSets; a++)
              for (const timeUnixNano of times) {
                const value = m.int ? BigInt(rng.int(10_000)) : Math.round(rng.next() * 1e6) / 100;
                dataPoints.push({
                  // Sets past the fifth: the routes again with other status codes, every set distinct.
                  attributes: [
                    str('http.route', ROUTES[a % 5] as string),
                    str('http.request.method', METHODS[a % 5] as string),
                    int('http.response.status_code', (STATUS[a % 5] as number) + Math.floor(a / 5)),
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

/** Data points in one request of the workload. */
const pointsOf = (w: Workload) => w.services * METRICS.length * w.attributeSets * w.intervals;

/** A request's body in each format, and the data points it carries. */
interface Bodies {
  body: Uint8Array | string;
  bytes: number;
}

/** A round's bodies in one format; every format's from the same seed, so all carry the same data points. */
function makeBodies(workload: Workload, format: Format, now: number): Bodies[] {
  const rng = new Rng(7);
  const points = pointsOf(workload);
  return Array.from({ length: REQUESTS_PER_ROUND }, (_, index) => {
    const otlp = makeRequest(workload, format, index, now, rng);
    if (format === 'lines') {
      const lines: string[] = [];
      const tally = convertOtlpRequest(
        otlp,
        { line: (text) => void lines.push(text), note: () => undefined, naming: () => undefined },
        1,
        { histogramSuffix: true },
      );
      if (tally.converted !== points) throw new Error(`converted ${tally.converted} of ${points} points`);
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
async function send(url: string, format: Format, bodies: Bodies[], points: number): Promise<number> {
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
          ? answer.statusCode === 202 && (JSON.parse(text) as { linesOk: number }).linesOk === points
          : answer.statusCode === 200 && text === '';
      if (!stored) throw new Error(`${format}: ${answer.statusCode} ${text.slice(0, 500)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - started;
  await agent.close();
  return ms;
}

/** A workload's rounds: each format's times (ms), the first round (warm-up) not counted. */
async function measure(url: string, workload: Workload, bodies: Map<Format, Bodies[]>): Promise<Map<Format, number[]>> {
  const ms = new Map<Format, number[]>(FORMATS.map((format) => [format, []]));
  const points = pointsOf(workload);
  for (let round = 0; round <= ROUNDS; round++) {
    // Each round starts with the next format, so no format always follows the same one.
    const order = FORMATS.map((_, i) => FORMATS[(i + round) % FORMATS.length] as Format);
    const times: string[] = [];
    for (const format of order) {
      const took = await send(url, format, bodies.get(format) ?? [], points);
      times.push(`${format} ${took.toFixed(0)} ms`);
      // The first round warms the tenant up (JIT, series creation); it is not counted.
      if (round > 0) ms.get(format)?.push(took);
    }
    process.stdout.write(`${workload.name} round ${round}: ${times.join(', ')}\n`);
  }
  return ms;
}

/** A workload's part of the report: its shape, a table, the ratios, the rounds. */
function report(workload: Workload, bodies: Map<Format, Bodies[]>, ms: Map<Format, number[]>): string[] {
  const perRequest = pointsOf(workload);
  const series = workload.services * METRICS.length * workload.attributeSets;
  const rate = (format: Format) => (perRequest * REQUESTS_PER_ROUND) / (median(ms.get(format) ?? []) / 1000);
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
  return [
    `## Workload \`${workload.name}\`: ${workload.about}`,
    '',
    `${REQUESTS_PER_ROUND} requests a round of ${n(perRequest)} data points each: ${workload.services} services × ${METRICS.length} metrics × ${workload.attributeSets} attribute sets = ${n(series)} series, ${workload.intervals} point${workload.intervals === 1 ? '' : 's'} each.`,
    '',
    '| Request body | Bytes per request | Time a round (ms) | Data points/s |',
    '|---|--:|--:|--:|',
    row('metric lines, `POST /api/v2/metrics/ingest`', 'lines'),
    row('OTLP protobuf, `POST /api/v2/otlp/v1/metrics`', 'otlp'),
    row('OTLP protobuf gzipped (`Content-Encoding: gzip`)', 'otlp-gzip'),
    '',
    `**OTLP ÷ lines, per data point (\`${workload.name}\`): ${pct(ratio)}** (target ≥ ${pct(TARGET_RATIO)}: ${ratio >= TARGET_RATIO ? '**met**' : '**missed**'}); per round: ${ratios.map(pct).join(', ')}. Gzipped OTLP ÷ lines: ${pct(median(gzipRatios))}; per round: ${gzipRatios.map(pct).join(', ')}.`,
    '',
    ...FORMATS.map(
      (format) => `${format} rounds (ms): ${(ms.get(format) ?? []).map((x) => x.toFixed(0)).join(', ')}.  `,
    ),
    '',
  ];
}

async function main(): Promise<void> {
  const profileDir = process.env.BENCH_CPU_PROF;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const only = process.env.BENCH_WORKLOAD;
  const workloads = WORKLOADS.filter((w) => only === undefined || w.name === only);
  if (workloads.length === 0)
    throw new Error(`BENCH_WORKLOAD: ${only} is none of ${WORKLOADS.map((w) => w.name).join(', ')}`);
  const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', resolve(profileDir)] : [];
  const tenant = await startTenant(CLI, ['--no-statsd'], nodeArgs);
  const now = Date.now();
  const parts: string[] = [];
  try {
    for (const workload of workloads) {
      const bodies = new Map(FORMATS.map((format) => [format, makeBodies(workload, format, now)] as const));
      const ms = await measure(tenant.url, workload, bodies);
      parts.push(...report(workload, bodies, ms));
    }
  } finally {
    await tenant.stop();
  }
  const markdown = [
    ...reportHeader('OTLP ingest vs line ingest, per data point', COMMAND),
    `The same data points to one local tenant (\`dtmetrics serve --no-statsd\`, in memory) over loopback HTTP (undici, ${CONCURRENCY} requests in flight), as OTLP protobuf, the same gzipped, and as the metric lines the tenant's converter makes of them (resource attributes as dimensions, as the OTLP endpoint stores them); all three made from the same seed, so they carry the same data points. Each service is a resource with 7 attributes; its ${METRICS.length} metrics are delta sums of ints and doubles and gauges; a point has 3 attributes (route, method, status code). Each format and workload has its own series. Every answer must store every point. Per workload: median of ${ROUNDS} rounds after one untimed round; the formats take turns, each round starting with the next.`,
    '',
    ...parts,
  ].join('\n');
  writeReportSection(RESULTS, 'Ingest benchmarks', markdown);
}

runBenchmark(main);
