/**
 * One mistake, one diagnostic: a line in another format, a literal `\n`, a space in a key is reported once, by
 * name, with the line's follow-on findings suppressed. Data-driven (test/fixtures/root-causes/cases.json: text in;
 * code, range, severity, message, and the text after the fix out; `UPDATE_FIXTURES=1` writes them from the code),
 * then on what real producers emit: prom-client's exposition, hot-shots' DogStatsD datagrams over UDP, the InfluxDB
 * client's line protocol.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Point } from '@influxdata/influxdb-client';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { lintText } from '#core/lint.ts';
import type { Diagnostic } from '#core/problems.ts';
import { applyFix, BLESS, expectFixture, lintErrors } from './fixture-format.ts';
import { captureHotShots } from './hot-shots-capture.ts';

interface Case {
  name: string;
  text: string;
  diagnostics: { at: string; code: string; severity: string; message: string }[];
  fix?: string;
  fixed?: string;
}

const CASES_FILE = join(import.meta.dirname, '..', 'fixtures', 'root-causes', 'cases.json');
const CASES = JSON.parse(readFileSync(CASES_FILE, 'utf8')) as Case[];

/** The text with the first fix offered applied, as an editor applies a quick fix. */
function applyFirstFix(text: string, diagnostics: readonly Diagnostic[]): { title: string; text: string } | null {
  const d = diagnostics.find((x) => x.data?.fix);
  const fix = d?.data?.fix;
  return d && fix ? { title: fix.title, text: applyFix(text, d.line, fix) } : null;
}

/** A case as the code sees it: its diagnostics, and the first fix offered with the text after it. */
function outcome(c: Case): Case {
  const diagnostics = lintText(c.text, { now: null });
  const fixed = applyFirstFix(c.text, diagnostics);
  return {
    name: c.name,
    text: c.text,
    diagnostics: diagnostics.map((d) => ({
      at: `${d.line}:${d.startChar}-${d.endChar}`,
      code: d.code,
      severity: d.severity,
      message: d.message,
    })),
    ...(fixed ? { fix: fixed.title, fixed: fixed.text } : {}),
  };
}

describe('root causes, from the fixture', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const actual = outcome(c);
      if (!BLESS) assert.deepEqual(actual, c, 'if the code is right, run the test with UPDATE_FIXTURES=1');
      if (actual.fixed !== undefined)
        assert.deepEqual(lintErrors(actual.fixed), [], `the fixed text is accepted:\n${actual.fixed}`);
    });
  }
  if (BLESS)
    it('bless: the cases as the code sees them', () =>
      expectFixture(
        CASES_FILE,
        (written) => JSON.stringify((JSON.parse(written) as Case[]).map(outcome), null, 2) + '\n',
      ));
});

/** Each line a producer emitted: one root cause of `code` (or no finding, for a line that is a metric line too). */
function assertOneCause(lines: string[], code: string, accepted: RegExp): void {
  assert.ok(lines.length > 0, 'the producer emitted something');
  for (const line of lines) {
    const diagnostics = lintText(line, { now: null });
    if (accepted.test(line)) {
      assert.deepEqual(diagnostics, [], `accepted as a metric line: ${line}`);
      continue;
    }
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      [code],
      `one finding on ${line}`,
    );
    const fixed = applyFirstFix(line, diagnostics);
    if (fixed) assert.deepEqual(lintErrors(fixed.text), [], `the fix of ${line} is accepted: ${fixed.text}`);
  }
}

describe('root causes in what real producers emit', () => {
  it('prom-client: every sample with labels and every # HELP / # TYPE is one LN010, with a fix for each sample', async () => {
    const registry = new Registry();
    const counter = new Counter({
      name: 'http_requests_total',
      help: 'Requests served.',
      labelNames: ['method', 'code'],
      registers: [registry],
    });
    counter.inc({ method: 'post', code: '200' }, 3);
    counter.inc({ method: 'get', code: '404' });
    new Gauge({ name: 'queue_length', help: 'Jobs waiting.', registers: [registry] }).set(7);
    const histogram = new Histogram({
      name: 'request_seconds',
      help: 'Latency.',
      labelNames: ['path'],
      buckets: [0.1, 1],
      registers: [registry],
    });
    histogram.observe({ path: '/checkout page' }, 0.4);
    const lines = (await registry.metrics()).split('\n').filter((l) => l !== '');
    // A sample without labels (`queue_length 7`) is a valid metric line as it is.
    assertOneCause(lines, 'LN010', /^queue_length \S+$/);
    const withFix = lines.filter((l) => l.includes('{')).map((l) => applyFirstFix(l, lintText(l, { now: null })));
    assert.ok(
      withFix.every((f) => f !== null),
      'every labelled sample has a fix',
    );
  });

  it('hot-shots: every DogStatsD datagram it sends over UDP is one LN011', async () => {
    const received = await captureHotShots({ globalTags: { env: 'prod' } }, (client) => {
      client.increment('page.views', 1, ['region:eu']);
      client.gauge('queue.size', 12);
      client.timing('checkout.latency', 320);
      client.histogram('payload.bytes', 1024);
      client.distribution('render.ms', 17);
      client.set('users.unique', 'u-1');
    });
    assert.equal(received.length, 6);
    assertOneCause(received, 'LN011', /^$/);
    const counter = received.find((l) => l.startsWith('page.views:')) as string;
    assert.equal(
      applyFirstFix(counter, lintText(counter, { now: null }))?.text,
      'page.views,env=prod,region=eu count,delta=1',
    );
  });

  it('@influxdata/influxdb-client: every point it writes is one LN009, rewritten in milliseconds', () => {
    const at = new Date(Date.UTC(2024, 10, 22, 18, 26, 40));
    const points = [
      new Point('cpu').tag('host', 'web 01').floatField('usage_idle', 98.2).floatField('usage_user', 1.1).timestamp(at),
      new Point('requests').tag('path', '/a').intField('total', 12).timestamp(at),
      new Point('door').tag('room', 'hall').booleanField('open', true),
      new Point('syslog').stringField('message', 'disk, full'),
    ];
    const lines = points.map((p) => p.toLineProtocol() as string);
    assertOneCause(lines, 'LN009', /^$/);
    const cpu = applyFirstFix(lines[0] as string, lintText(lines[0] as string, { now: null }));
    assert.equal(
      cpu?.text,
      'cpu.usage_idle,host=web\\ 01 98.2 1732300000000\ncpu.usage_user,host=web\\ 01 1.1 1732300000000',
    );
  });
});

describe('root causes and the settings', () => {
  it('a root cause switched off shows the findings it replaced', () => {
    const line = 'shop.amount,payment\\ method=card 1';
    assert.deepEqual(
      lintText(line, { now: null }).map((d) => d.code),
      ['DK009'],
    );
    const replaced = lintText(line, { now: null, severities: { DK009: 'off' } }).map((d) => d.code);
    assert.ok(replaced.length > 1 && !replaced.includes('DK009'), `the parser's findings: ${replaced.join(' ')}`);
  });
});
