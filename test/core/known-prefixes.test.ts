/**
 * The OTLP endpoint's clean line prefixes kept across requests (core/metrics/known-prefixes.ts) give the full check's
 * answers: over generated OTLP requests (series that come again, values and attributes the rules refuse or warn of,
 * timestamps in and out of the window, keys of both payload types, a store at its series limit, a cache that fills
 * up) and the converter's fixtures, each request is checked both ways — a fresh check, and with prefixes learned from
 * the requests before — and the checked lines (refusals, warnings, points), what the store admits, the OTLP answer
 * and the store's contents must be equal. The journal is made of the checked lines and the answer.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeOtlpJson } from '#core/convert/otlp-decode.ts';
import type { OtlpKeyValue, OtlpMetric, OtlpMetricData, OtlpRequest } from '#core/convert/otlp-model.ts';
import { TEMPORALITY } from '#core/convert/otlp-model.ts';
import { admitIngest, applyRecords, checkLines } from '#core/metrics/ingest.ts';
import { KnownPrefixes } from '#core/metrics/known-prefixes.ts';
import { checkOtlpIngest, otlpAnswer } from '#core/metrics/otlp-ingest.ts';
import { MetricStore } from '#core/metrics/store.ts';
import { Rng } from '../../bench/rng.ts';

const NOW = Date.UTC(2026, 2, 1, 12);
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'convert', 'otlp');

/**
 * Checks `requests` in turn both ways into two stores, asserting equal answers; returns how many lines took the
 * known prefixes' way (a test of equal answers must also show the shortcut ran).
 */
function assertSameAnswers(requests: OtlpRequest[], now: number, known: KnownPrefixes, maxSeries?: number): number {
  const limits = maxSeries ? { maxSeries } : {};
  const fullStore = new MetricStore(limits);
  const knownStore = new MetricStore(limits);
  const before = known.matched;
  requests.forEach((request, i) => {
    const full = checkOtlpIngest(request, now);
    const fast = checkOtlpIngest(request, now, known);
    assert.deepStrictEqual(fast, full, `request ${i}: the checked lines differ`);
    if (!full.ok || !fast.ok) return;
    const admittedFull = admitIngest(fullStore, full.checked);
    const admittedFast = admitIngest(knownStore, fast.checked);
    assert.deepStrictEqual(admittedFast, admittedFull, `request ${i}: the admitted records differ`);
    applyRecords(fullStore, admittedFull.records);
    applyRecords(knownStore, admittedFast.records);
    assert.deepStrictEqual(otlpAnswer(fast, admittedFast), otlpAnswer(full, admittedFull), `request ${i}: answers`);
  });
  assert.deepStrictEqual([...knownStore.seriesSnapshots(0)], [...fullStore.seriesSnapshots(0)], 'the stores differ');
  return known.matched - before;
}

const str = (key: string, value: string): OtlpKeyValue => ({ key, value: { type: 'string', value } });

/** Attribute values, most of them clean, some the rules refuse or warn of (long, control characters, U+FFFD). */
function attributeValue(rng: Rng): string {
  const pick = rng.int(20);
  if (pick === 0) return '';
  if (pick === 1) return 'with space, "quote", back\\slash=1';
  if (pick === 2) return 'x'.repeat(rng.between(245, 260));
  if (pick === 3) return 'bell\u0007 and \uFFFD';
  if (pick === 4) return 'ünïcødé ✓ 𝔘';
  return `v${rng.int(4)}`;
}

/** Values in and out of the fast path's clean forms: big and negative integers, exponents, -0, NaN, infinities. */
function pointValue(rng: Rng, int: boolean): number | bigint {
  if (int) return rng.chance(0.1) ? BigInt(rng.between(-5, 5)) * 10n ** BigInt(rng.int(22)) : BigInt(rng.int(10_000));
  const pick = rng.int(16);
  if (pick === 0) return -0;
  if (pick === 1) return [NaN, Infinity, -Infinity][rng.int(3)] as number;
  if (pick === 2) return 1e21 * rng.next();
  if (pick === 3) return 1e-7 * rng.next();
  if (pick === 4) return 0.1 + 0.2;
  return Math.round((rng.next() - 0.3) * 1e6) / 100;
}

/** Timestamps: mostly a minute ago, some too old or too far ahead for the window, some unset. */
function pointTime(rng: Rng, now: number, step: number): bigint {
  const pick = rng.int(25);
  if (pick === 0) return 0n;
  const ms = pick === 1 ? now - 2 * 3600_000 : pick === 2 ? now + 3600_000 : now - 60_000 - step * 10_000;
  return BigInt(ms) * 1_000_000n;
}

const NAMES = ['http.server.requests', 'jobs', 'jobs.count', 'Queue Size', 'cpu.utilization', 'a', 'ünits.used'];

/** One request: a few resources × metrics of every kind × attribute sets, drawn from a small pool so series repeat. */
function generatedRequest(rng: Rng, now: number): OtlpRequest {
  const resources = rng.between(1, 3);
  return {
    resourceMetrics: Array.from({ length: resources }, () => ({
      resource: {
        attributes: [
          str('service.name', `svc-${rng.int(3)}`),
          ...(rng.chance(0.2) ? [str('odd', attributeValue(rng))] : []),
        ],
        droppedAttributesCount: 0,
      },
      schemaUrl: '',
      scopeMetrics: [
        {
          scope: { name: 'gen', version: '1', attributes: [], droppedAttributesCount: 0 },
          schemaUrl: '',
          metrics: Array.from({ length: rng.between(1, 5) }, (): OtlpMetric => {
            const name = NAMES[rng.int(NAMES.length)] as string;
            const int = rng.chance(0.5);
            const attributes = () => [
              str('route', `/r${rng.int(3)}`),
              ...(rng.chance(0.3) ? [str('extra', attributeValue(rng))] : []),
              ...(rng.chance(0.05) ? Array.from({ length: 55 }, (_, i) => str(`k${i}`, 'v')) : []),
            ];
            const points = Array.from({ length: rng.between(1, 6) }, (_, step) => ({
              attributes: attributes(),
              startTimeUnixNano: 0n,
              timeUnixNano: pointTime(rng, now, step),
              flags: 0,
              value: pointValue(rng, int),
            }));
            const kind = rng.int(5);
            let data: OtlpMetricData;
            if (kind === 0) data = { type: 'gauge', dataPoints: points };
            else if (kind <= 2)
              data = {
                type: 'sum',
                dataPoints: points,
                aggregationTemporality: kind === 1 ? TEMPORALITY.delta : TEMPORALITY.cumulative,
                isMonotonic: rng.chance(0.8),
              };
            else
              data = {
                type: 'histogram',
                aggregationTemporality: TEMPORALITY.delta,
                dataPoints: points.map((p) => {
                  const min = rng.int(10);
                  const max = min + rng.int(10);
                  const count = BigInt(rng.between(1, 4));
                  // Consistent mostly; now and then a sum outside min × count … max × count.
                  const sum = rng.chance(0.1) ? max * 100 : ((min + max) / 2) * Number(count);
                  return { ...p, count, sum, bucketCounts: [count], explicitBounds: [], min, max };
                }),
              };
            return { name, description: '', unit: '', metadata: [], data };
          }),
        },
      ],
    })),
  };
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

describe('OTLP clean prefixes kept across requests', () => {
  it('give the full check’s answers over generated requests, and take the short way for most lines', () => {
    const rng = new Rng(42);
    const requests = Array.from({ length: 300 }, () => generatedRequest(rng, NOW));
    const known = new KnownPrefixes();
    const matched = assertSameAnswers(requests, NOW, known);
    assert.ok(matched > 1000, `only ${matched} lines took the known prefixes' way`);
  });

  it('give the same answers when the store is at its series limit and the cache fills up and starts again', () => {
    const rng = new Rng(7);
    const requests = Array.from({ length: 200 }, () => generatedRequest(rng, NOW));
    const known = new KnownPrefixes(8, 4_000);
    const matched = assertSameAnswers(requests, NOW, known, 20);
    assert.ok(matched > 100, `only ${matched} lines took the known prefixes' way`);
    assert.ok(known.size <= 8);
  });

  it('give the full check’s answers for any lines made of known prefixes, payloads and timestamps', () => {
    // Not only what the converter writes: prefixes and payloads the rules refuse or warn of, summaries that disagree,
    // numbers in and out of the clean forms, a key's two payload types, timestamps out of the window or missing.
    const prefixes = [
      'jobs,queue=mail',
      'jobs.count,queue=mail',
      'jobs',
      'cpu,host="a b",empty=',
      'bad key,x=1',
      'k,dim="unterminated',
      'long,v=' + 'x'.repeat(252),
      'ünits,ü=ö',
      'k,a=1,,b=2',
    ];
    const payloads = [
      'gauge,1',
      'gauge,-0',
      'gauge,007',
      'gauge,1.50',
      'gauge,1e3',
      'gauge,1234567890123456',
      'count,delta=5',
      'count,delta=-2.5',
      'count,3',
      'gauge,min=1,max=3,sum=4,count=2',
      'gauge,min=1,max=3,sum=40,count=2',
      'gauge,min=1,max=3,sum=4,count=2.0',
      'gauge,min=3,max=1,sum=4,count=2',
      '42',
    ];
    const JSON_LINES = ['{"metric": "jobs",', '"value": 3', '}'];
    const inWindow = ` ${NOW - 60_000}`;
    const times = [
      inWindow,
      inWindow,
      inWindow,
      ` ${NOW - 2 * 3600_000}`,
      ` ${NOW + 3600_000}`,
      '',
      ' 1772366340',
      ' 0',
    ];
    const rng = new Rng(3);
    const known = new KnownPrefixes();
    for (let request = 0; request < 200; request++) {
      const lines = Array.from({ length: 40 }, () => {
        const pick = <T>(of: T[]) => of[rng.int(of.length)] as T;
        // Now and then a line of a JSON document spread over lines (a root cause that spans lines, LN007).
        return rng.int(8) === 0 ? pick(JSON_LINES) : `${pick(prefixes)} ${pick(payloads)}${pick(times)}`;
      });
      assert.deepStrictEqual(
        checkLines(lines, NOW, 'api', null, known),
        checkLines(lines, NOW, 'api'),
        lines.join('\n'),
      );
    }
    assert.ok(known.matched > 200, `only ${known.matched} lines took the known prefixes' way`);
  });

  it('give the same answers for the converter’s fixtures, each checked twice in a row', () => {
    const known = new KnownPrefixes();
    let matched = 0;
    for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
      const text = readFileSync(join(FIXTURES, file), 'utf8');
      // A file exporter's file holds one request a line (some of them broken, as the converter's fixture wants).
      const documents = file === 'file-exporter.json' ? text.trim().split('\n') : [text];
      for (const document of documents) {
        const decoded = decodeOtlpJson(parsedJson(document));
        if (!decoded.ok) continue;
        // The fixtures' timestamps are of November 2024: checked then (in the window) and now (outside it).
        for (const now of [Date.UTC(2024, 10, 22, 18, 30), NOW])
          matched += assertSameAnswers([decoded.value, decoded.value], now, known);
      }
    }
    assert.ok(matched > 0);
  });
});
