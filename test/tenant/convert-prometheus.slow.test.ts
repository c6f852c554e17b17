/**
 * The Prometheus/OpenMetrics converter against the real producers: `prom-client` (its registry exposed twice, in the
 * Prometheus text format and in OpenMetrics, with increments between) and Debian's `prometheus-node-exporter`
 * running on loopback (its /metrics scraped twice). Each exposition is converted with the scrape before it, every
 * line lints clean, is pushed to the built local tenant and queried back with the value the producer recorded.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import client from 'prom-client';
import { createPrometheusConverter, readPreviousScrape } from '#core/convert/prometheus.ts';
import { assertBuilt } from '../cli/helpers.ts';
import { assertAccounted, convertText, type Conversion } from '../core/convert-fixtures.ts';
import { pushLines, queryValue, startServe, TOKEN, type TenantProcess } from './helpers.ts';

const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const OPENMETRICS_ACCEPT = 'application/openmetrics-text; version=1.0.0';

let tenant: TenantProcess;

before(async () => {
  assertBuilt();
  tenant = await startServe(['--token', TOKEN]);
});
after(() => tenant?.stop());

/** Converts a scrape with the one before it, line by line as the CLI will, and checks what every converter must. */
function convert(scrape: string, previousScrape: string, openMetrics: boolean): Conversion {
  const previous = readPreviousScrape(previousScrape.split('\n'), openMetrics);
  const conversion = convertText((sink) => createPrometheusConverter(sink, { openMetrics, previous }), scrape);
  assertAccounted(conversion, scrape);
  assert.ok(conversion.tally.converted > 0, 'nothing converted');
  return conversion;
}

/** Pushes the lines of a conversion; every line must be taken (warnings are the `.count` the naming foretells). */
const push = (conversion: Conversion) =>
  pushLines(
    tenant.url,
    conversion.lines.map((l) => l.text),
  );

const valueOf = (selector: string) => queryValue(tenant.url, selector);

describe('prom-client 15 → lines → local tenant', () => {
  it('Prometheus text: gauge, counter increase, histogram count increase, summary quantile', async () => {
    const registry = new client.Registry();
    const requests = new client.Counter({
      name: 'pc_http_requests_total',
      help: 'Requests.',
      labelNames: ['method', 'code'],
      registers: [registry],
    });
    const temperature = new client.Gauge({
      name: 'pc_temperature_celsius',
      help: 'Temperature.',
      labelNames: ['room'],
      registers: [registry],
    });
    const duration = new client.Histogram({
      name: 'pc_request_duration_seconds',
      help: 'Duration.',
      labelNames: ['route'],
      buckets: [0.1, 0.5, 1],
      registers: [registry],
    });
    const size = new client.Summary({
      name: 'pc_response_size_bytes',
      help: 'Size.',
      percentiles: [0.5, 0.9],
      registers: [registry],
    });
    requests.inc({ method: 'get', code: '200' }, 10);
    duration.observe({ route: '/a' }, 0.2);
    size.observe(100);
    const first = await registry.metrics();
    requests.inc({ method: 'get', code: '200' }, 7);
    requests.inc({ method: 'post', code: '500' });
    temperature.set({ room: 'lab' }, 21.5);
    for (const seconds of [0.05, 0.3, 2]) duration.observe({ route: '/a' }, seconds);
    for (const bytes of [200, 300, 400]) size.observe(bytes);
    const second = await registry.metrics();

    const converted = convert(second, first, false);
    const { notes } = converted;
    // A series first seen in the second scrape is a starting point, not an increase: reported, not sent.
    assert.ok(
      notes.some(
        (n) => n.kind === 'skipped' && n.item === 'pc_http_requests_total' && /not in the previous/.test(n.message),
      ),
      JSON.stringify(notes),
    );
    await push(converted);

    assert.equal(await valueOf('pc_temperature_celsius:filter(eq("room","lab")):max'), 21.5);
    assert.equal(await valueOf('pc_http_requests_total.count:filter(eq("method","get")):splitBy():sum'), 7);
    assert.equal(await valueOf('pc_request_duration_seconds_count:splitBy():sum'), 3);
    assert.equal(await valueOf('pc_request_duration_seconds_sum.count:splitBy():sum'), 2.35);
    const median = (await size.get()).values.find((v) => v.labels.quantile === 0.5)?.value;
    assert.equal(typeof median, 'number');
    assert.equal(await valueOf('pc_response_size_bytes:filter(eq("quantile","0.5")):max'), median);
    assert.equal(await valueOf('pc_response_size_bytes_count:splitBy():sum'), 3);
  });

  it('a histogram `_sum` that went down: not sent after negative observations, its current value after a restart', async () => {
    const changesIn = (name: string, registry: client.Registry) =>
      new client.Histogram({ name, help: 'Changes.', buckets: [0], registers: [registry] });
    // Negative observations: the sum falls (10 → 6) while the count grows; the sum's change is no increase.
    const registry = new client.Registry();
    const balance = changesIn('pc_balance_change', registry);
    balance.observe(10);
    const first = await registry.metrics();
    balance.observe(-4);
    const negative = convert(await registry.metrics(), first, false);
    assert.ok(
      negative.notes.some((n) => n.kind === 'skipped' && /`pc_balance_change_sum` went down/.test(n.message)),
      JSON.stringify(negative.notes),
    );
    assert.ok(!negative.lines.some((l) => l.text.startsWith('pc_balance_change_sum')));
    // A restart: a new process's registry, its sum and count below the old ones; the current values are the increase.
    const old = new client.Registry();
    const before = changesIn('pc_restarted_change', old);
    before.observe(10);
    before.observe(20);
    const fresh = new client.Registry();
    changesIn('pc_restarted_change', fresh).observe(0.5);
    const restarted = convert(await fresh.metrics(), await old.metrics(), false);
    await push(negative);
    await push(restarted);
    assert.equal(await valueOf('pc_balance_change_count:splitBy():sum'), 1);
    assert.equal(await valueOf('pc_restarted_change_sum.count:splitBy():sum'), 0.5);
    assert.equal(await valueOf('pc_restarted_change_count:splitBy():sum'), 1);
  });

  it('OpenMetrics: `_total` counters with exemplars, `# EOF`', async () => {
    const registry = new client.Registry<client.OpenMetricsContentType>();
    registry.setContentType(client.Registry.OPENMETRICS_CONTENT_TYPE);
    // prom-client's types key exemplar labels by the metric's label names; at run time it takes any.
    const exemplar = (traceId: string) => ({ trace_id: traceId }) as unknown as client.LabelValues<'kind'>;
    const jobs = new client.Counter({
      name: 'pcom_jobs',
      help: 'Jobs.',
      labelNames: ['kind'],
      registers: [registry],
      enableExemplars: true,
    });
    jobs.inc({ labels: { kind: 'batch' }, value: 2, exemplarLabels: exemplar('a1') });
    const first = await registry.metrics();
    jobs.inc({ labels: { kind: 'batch' }, value: 5, exemplarLabels: exemplar('b2') });
    const second = await registry.metrics();
    assert.match(second, /^# EOF$/m);

    const converted = convert(second, first, true);
    const { notes } = converted;
    assert.ok(
      notes.some((n) => n.kind === 'info' && /exemplars/.test(n.message)),
      JSON.stringify(notes),
    );
    await push(converted);
    assert.equal(await valueOf('pcom_jobs_total.count:filter(eq("kind","batch")):splitBy():sum'), 5);
  });
});

/** A port free on loopback at the moment of asking. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  assert.ok(address && typeof address === 'object');
  return address.port;
}

/** GET /metrics, retried until it answers or the deadline passes (the exporter needs a moment to listen). */
async function scrape(url: string, accept: string | null, exited: Promise<unknown>): Promise<Response> {
  const deadline = Date.now() + 15_000;
  let ended = false;
  void exited.then(() => (ended = true));
  for (;;) {
    try {
      return await fetch(url, { headers: accept ? { Accept: accept } : {} });
    } catch (error) {
      if (ended) assert.fail(`prometheus-node-exporter ended before it answered: ${String(error)}`);
      if (Date.now() > deadline) assert.fail(`prometheus-node-exporter did not answer at ${url}: ${String(error)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe("Debian's prometheus-node-exporter → lines → local tenant", () => {
  it('converts two scrapes of /metrics (and its OpenMetrics form) and queries MemTotal back', async () => {
    assert.ok(
      existsSync(NODE_EXPORTER),
      `${NODE_EXPORTER} is missing: install it with \`npm run setup:clients\` (Debian's prometheus-node-exporter)`,
    );
    const port = await freePort();
    const exporter = spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    const exited = once(exporter, 'exit');
    try {
      const url = `http://127.0.0.1:${port}/metrics`;
      const first = await (await scrape(url, null, exited)).text();
      const second = await (await scrape(url, null, exited)).text();
      // The exporter counts its own scrapes: the second scrape shows the first one.
      const handled = (text: string) =>
        Number(/^promhttp_metric_handler_requests_total\{code="200"\} (\S+)$/m.exec(text)?.[1]);
      assert.equal(handled(second) - handled(first), 1);

      await push(convert(second, first, false));
      const memTotal = Number(/^node_memory_MemTotal_bytes (\S+)$/m.exec(second)?.[1]);
      assert.ok(memTotal > 0, 'node_memory_MemTotal_bytes in the scrape');
      assert.equal(await valueOf('node_memory_MemTotal_bytes:max'), memTotal);
      assert.equal(
        await valueOf('promhttp_metric_handler_requests_total.count:filter(eq("code","200")):splitBy():sum'),
        1,
      );

      // OpenMetrics when the exporter serves it (node_exporter 1.5.0 answers the text format still): converted as
      // the content type says.
      const negotiated = await scrape(url, OPENMETRICS_ACCEPT, exited);
      const openMetrics = (negotiated.headers.get('content-type') ?? '').startsWith('application/openmetrics-text');
      const third = await negotiated.text();
      await push(convert(third, second, openMetrics));
    } finally {
      if (exporter.exitCode === null && exporter.signalCode === null) exporter.kill();
      await exited;
    }
  });
});
