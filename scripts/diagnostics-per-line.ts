/**
 * How many diagnostics a faulty line gets: one mistake should be one diagnostic. Counts, for every line with at
 * least one finding, the findings on it, over three sets of lines:
 *   - the rule fixtures (test/fixtures/rules), with their options;
 *   - the root-cause examples (test/fixtures/root-causes/cases.json: the seeds' and the issue's lines) and what real
 *     producers write (prom-client's exposition, the InfluxDB client's line protocol);
 *   - fuzzed lines: valid lines with one seeded random mutation each (one mistake; the same lines on every run).
 *
 *   node --import tsx scripts/diagnostics-per-line.ts [--core <checkout>]
 *
 * `--core` lints with the core of another checkout (say, a worktree of an earlier commit), for a before and after.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Point } from '@influxdata/influxdb-client';
import { Counter, Histogram, Registry } from 'prom-client';
import { FIXTURE_DIR, readFixture } from '../test/core/fixture-format.ts';
import type { LintOptions } from '#core/lint.ts';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { core: { type: 'string', default: ROOT } } });
type LintText = (text: string, options: LintOptions) => { line: number }[];

interface LineSet {
  name: string;
  texts: { text: string; options: LintOptions }[];
}

function fixtureLines(): LineSet {
  const texts = readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.dtmetrics'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(FIXTURE_DIR, f), 'utf8');
      return { text, options: readFixture(text).options };
    });
  return { name: 'rule fixtures', texts };
}

async function exampleLines(): Promise<LineSet> {
  const cases = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/root-causes/cases.json'), 'utf8')) as {
    text: string;
  }[];
  const registry = new Registry();
  new Counter({ name: 'http_requests_total', help: 'Requests.', labelNames: ['code'], registers: [registry] }).inc({
    code: '200',
  });
  new Histogram({ name: 'request_seconds', help: 'Latency.', buckets: [0.1, 1], registers: [registry] }).observe(0.3);
  const influx = [
    new Point('cpu').tag('host', 'a').floatField('usage_idle', 98.2).floatField('usage_user', 1.1),
    new Point('requests').tag('path', '/a').intField('total', 12),
  ].map((p) => p.toLineProtocol() as string);
  const texts = [...cases.map((c) => c.text), await registry.metrics(), influx.join('\n')];
  return {
    name: 'seed and issue examples, prom-client, influxdb-client',
    texts: texts.map((text) => ({ text, options: { now: null } })),
  };
}

/** A small seeded generator (mulberry32), so that every run fuzzes the same lines. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID = [
  'cpu.temperature,host=a,cpu=1 gauge,min=17.1,max=17.3,sum=34.4,count=2 1732300000000',
  'shop.orders,region=eu,payment="credit card" count,delta=4',
  'queue.length 12',
  '#cpu.temperature gauge dt.meta.unit=Cel,dt.meta.displayName="CPU temperature"',
  'http.latency,service=checkout,path=/api/cart 41.5 1732300000000',
];
const INSERTS = ['{', '}', '"', ':', '|', '#', '\\', ' ', '=', ',', '\\n', '{"a":1}', 'value=', 'X', '1', '|c'];

function fuzzedLines(count: number): LineSet {
  const next = random(20261203);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const line = pick(VALID);
    const at = Math.floor(next() * (line.length + 1));
    texts.push(
      next() < 0.25 ? line.slice(0, at) + line.slice(at + 1) : line.slice(0, at) + pick(INSERTS) + line.slice(at),
    );
  }
  return {
    name: `fuzzed lines (${count.toLocaleString('en-US')}, one mutation each)`,
    texts: [{ text: texts.join('\n'), options: { now: 1732300000000 } }],
  };
}

function measure(lintText: LintText, set: LineSet): string {
  const perLine: number[] = [];
  for (const { text, options } of set.texts) {
    const counts = new Map<number, number>();
    for (const d of lintText(text, options)) counts.set(d.line, (counts.get(d.line) ?? 0) + 1);
    perLine.push(...counts.values());
  }
  const faulty = perLine.length;
  const total = perLine.reduce((a, b) => a + b, 0);
  const single = perLine.filter((n) => n === 1).length;
  const cell = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return `| ${set.name} | ${cell(faulty)} | ${cell(total)} | ${cell(total / faulty)} | ${cell(Math.max(...perLine))} | ${cell((100 * single) / faulty)} % |`;
}

async function main(): Promise<void> {
  const core = resolve(values.core as string);
  const { lintText } = (await import(pathToFileURL(join(core, 'server/src/core/lint.ts')).href)) as {
    lintText: LintText;
  };
  console.log(`Core: ${core}\n`);
  console.log('| lines | faulty lines | diagnostics | per faulty line | most on one line | faulty lines with one |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const set of [fixtureLines(), await exampleLines(), fuzzedLines(5_000)]) console.log(measure(lintText, set));
}

void main();
