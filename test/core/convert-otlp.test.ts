/**
 * The OTLP converter (core/convert/otlp.ts) and its decoders (otlp-decode.ts). Each OTLP/JSON fixture in
 * test/fixtures/convert/otlp is fed line by line to the JSON LineConverter through the converters' harness
 * (convert-fixtures.ts) and its conversion compared with `<case>.expected` (`UPDATE_FIXTURES=1` rewrites it); each
 * fixture's requests, written as protobuf, decode to the same requests and convert to the same conversion.
 * Malformed input of either encoding is one clear failure. Properties: on any bytes or text nothing throws and every
 * item is accounted for; on any well-formed request both encodings decode alike, every data point is an item, and
 * the lines lint without error.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { decodeOtlpJson, decodeOtlpProtobuf } from '#core/convert/otlp-decode.ts';
import type { OtlpAnyValue, OtlpKeyValue, OtlpMetric, OtlpPointBase, OtlpRequest } from '#core/convert/otlp-model.ts';
import {
  convertOtlpProtobuf,
  convertOtlpRequest,
  createOtlpJsonConverter,
  OtlpSeriesMemo,
} from '#core/convert/otlp.ts';
import { ROOT } from '../cli/helpers.ts';
import { assertAccounted, collect, convertText, fixtureInputs, fixtureTests } from './convert-fixtures.ts';
import { otlpToJson, otlpToProtobuf } from './otlp-encode.ts';

const DIR = join(ROOT, 'test', 'fixtures', 'convert', 'otlp');

/** The requests of a fixture, as its JSON values (one per line, or one document). */
function requestsOf(text: string): OtlpRequest[] {
  const values = text.trimStart().startsWith('{\n') ? [text] : text.split('\n');
  return values.flatMap((value) => {
    try {
      const decoded = decodeOtlpJson(JSON.parse(value));
      return decoded.ok ? [decoded.value] : [];
    } catch {
      return [];
    }
  });
}

describe('OTLP/JSON fixtures', () => {
  fixtureTests(DIR, '.json', (sink) => createOtlpJsonConverter(sink));

  for (const { file, text } of fixtureInputs(DIR, '.json'))
    it(`${file} as protobuf decodes to the same requests and lines`, () => {
      for (const request of requestsOf(text)) {
        const decoded = decodeOtlpProtobuf(otlpToProtobuf(request));
        assert.ok(decoded.ok, decoded.ok ? '' : decoded.message);
        assert.deepEqual(decoded.value, request);
        assert.deepEqual(
          collect((sink) => convertOtlpProtobuf(otlpToProtobuf(request), sink)),
          collect((sink) => convertOtlpRequest(request, sink, 1)),
        );
      }
    });
});

const gauge = (name: string, attributes: OtlpKeyValue[] = []): OtlpMetric => ({
  name,
  description: '',
  unit: '',
  data: {
    type: 'gauge',
    dataPoints: [{ attributes, startTimeUnixNano: 0n, timeUnixNano: 1732300000000000000n, flags: 0, value: 1.5 }],
  },
  metadata: [],
});

const request = (metrics: OtlpMetric[], resource: OtlpKeyValue[] = []): OtlpRequest => ({
  resourceMetrics: [
    {
      resource: { attributes: resource, droppedAttributesCount: 0 },
      scopeMetrics: [
        { scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 }, metrics, schemaUrl: '' },
      ],
      schemaUrl: '',
    },
  ],
});

const text = (key: string, value: string): OtlpKeyValue => ({ key, value: { type: 'string', value } });

describe('protobuf decoding', () => {
  it('skips unknown fields of every wire type and reads repeated scalars packed or not', () => {
    const known = otlpToProtobuf(request([gauge('cpu.load', [text('host', 'a')])]));
    const w = new BinaryWriter();
    w.tag(99, WireType.Varint).uint64(2n ** 63n);
    w.tag(98, WireType.Bit32).fixed32(7);
    w.tag(97, WireType.Bit64).double(1);
    w.tag(96, WireType.LengthDelimited).string('later field');
    const withUnknown = new Uint8Array([...w.finish(), ...known]);
    assert.deepEqual(decodeOtlpProtobuf(withUnknown), decodeOtlpProtobuf(known));

    // A histogram point with its bucket counts one field each and its bounds packed.
    const point = new BinaryWriter();
    point.tag(4, WireType.Bit64).fixed64(3n);
    point.tag(6, WireType.Bit64).fixed64(1n).tag(6, WireType.Bit64).fixed64(2n);
    point.tag(7, WireType.LengthDelimited).fork().double(0.5).double(1).join();
    const bytes = new BinaryWriter()
      .tag(1, WireType.LengthDelimited)
      .fork()
      .tag(2, WireType.LengthDelimited)
      .fork()
      .tag(2, WireType.LengthDelimited)
      .fork()
      .tag(9, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .bytes(point.finish())
      .join()
      .join()
      .join()
      .join()
      .finish();
    const decoded = decodeOtlpProtobuf(bytes);
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.message);
    const data = decoded.value.resourceMetrics[0]?.scopeMetrics[0]?.metrics[0]?.data;
    assert.ok(data?.type === 'histogram');
    assert.deepEqual(data.dataPoints[0]?.bucketCounts, [1n, 2n]);
    assert.deepEqual(data.dataPoints[0]?.explicitBounds, [0.5, 1]);
  });

  it('keeps nanosecond times and 64-bit ints exactly', () => {
    const big: OtlpMetric = gauge('big.values', [{ key: 'id', value: { type: 'int', value: -(2n ** 63n) } }]);
    if (big.data?.type === 'gauge' && big.data.dataPoints[0]) {
      big.data.dataPoints[0].timeUnixNano = 2n ** 64n - 1n;
      big.data.dataPoints[0].value = 2n ** 62n + 1n;
    }
    const decoded = decodeOtlpProtobuf(otlpToProtobuf(request([big])));
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.value, request([big]));
  });

  const failures: [string, Uint8Array, RegExp][] = [
    [
      'a sub-message longer than what is left',
      otlpToProtobuf(request([gauge('cpu.load')])).slice(0, -1),
      /^not an OTLP metrics request in protobuf: field \d+ of an? \w+ at byte \d+: a length beyond the message$/,
    ],
    [
      'field number 0',
      new Uint8Array([0x02, 0x00]),
      /field 0 of an ExportMetricsServiceRequest at byte 1: an invalid tag/,
    ],
    [
      'a known field of the wrong wire type',
      new BinaryWriter().tag(1, WireType.Varint).uint32(1).finish(),
      /field 1 of an ExportMetricsServiceRequest at byte 1: wire type 0 where 2 is expected/,
    ],
    [
      'a double cut short',
      new Uint8Array([0x0a, 0x05, 0x12, 0x03, 0x12, 0x01, 0x2a]),
      /not an OTLP metrics request in protobuf/,
    ],
    [
      'a varint running past the end',
      new Uint8Array([0x28, 0xff, 0xff]),
      /^not an OTLP metrics request in protobuf: field 5 of an ExportMetricsServiceRequest at byte 1: a value beyond the message$/,
    ],
    [
      // Skipping the group follows a length inside it, 15,000 bytes on: the group's value starts at 2,997 (its tag at 2,995).
      'an unknown group that does not end, at the end of 3,000 bytes',
      new BinaryWriter()
        .tag(99, WireType.LengthDelimited)
        .bytes(new Uint8Array(2991))
        .tag(98, WireType.StartGroup)
        .tag(1, WireType.LengthDelimited)
        .uint32(15_000)
        .finish(),
      /^not an OTLP metrics request in protobuf: field 98 of an ExportMetricsServiceRequest at byte 2997: a group that does not end$/,
    ],
    [
      'an unknown fixed64 cut short',
      new Uint8Array([0x99, 0x06, 0x01, 0x02, 0x03]),
      /^not an OTLP metrics request in protobuf: field 99 of an ExportMetricsServiceRequest at byte 2: a value beyond the message$/,
    ],
    [
      'text, not protobuf',
      new TextEncoder().encode('{"resourceMetrics":[]}'),
      /not an OTLP metrics request in protobuf/,
    ],
  ];
  for (const [why, bytes, expected] of failures)
    it(`fails on ${why} with one line`, () => {
      const decoded = decodeOtlpProtobuf(bytes);
      assert.ok(!decoded.ok);
      assert.match(decoded.message, expected);
      assert.ok(!decoded.message.includes('\n'));
    });

  it('fails on attribute values nested without end, without overflowing the stack', () => {
    let value: OtlpAnyValue = { type: 'string', value: 'x' };
    for (let i = 0; i < 200; i++) value = { type: 'array', values: [value] };
    const decoded = decodeOtlpProtobuf(otlpToProtobuf(request([gauge('deep.one', [{ key: 'k', value }])])));
    assert.ok(!decoded.ok);
    assert.match(decoded.message, /messages nested deeper than 64/);
  });

  it('convertOtlpProtobuf reports a decode failure as one item not converted', () => {
    const { lines, notes, naming, tally } = collect((sink) => convertOtlpProtobuf(new Uint8Array([0xff]), sink));
    assert.deepEqual(tally, { items: 1, converted: 0, skipped: 1 });
    assert.equal(lines.length + naming.length, 0);
    assert.equal(notes.length, 1);
    assert.deepEqual(
      { ...notes[0], message: '' },
      { kind: 'skipped', line: 0, item: 'request', count: 1, message: '' },
    );
    assert.match(notes[0]?.message ?? '', /^not an OTLP metrics request in protobuf/);
  });
});

describe('OTLP/JSON decoding', () => {
  const failures: [unknown, string][] = [
    [[], 'the request: [] where an object is expected'],
    [{ resourceMetrics: {} }, 'resourceMetrics: {} where an array is expected'],
    [
      { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 1 }] }] }] },
      'resourceMetrics[0].scopeMetrics[0].metrics[0].name: 1 where a string is expected',
    ],
    [
      { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ gauge: { dataPoints: [{ timeUnixNano: '1.5' }] } }] }] }] },
      'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].timeUnixNano: "1.5" where an unsigned 64-bit integer is expected',
    ],
    [
      { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ gauge: {}, sum: {} }] }] }] },
      'resourceMetrics[0].scopeMetrics[0].metrics[0]: more than one of gauge, sum (a oneof)',
    ],
    [
      { resourceMetrics: [{ resource: { attributes: [{ key: 'k', value: { bytesValue: '!!' } }] } }] },
      'resourceMetrics[0].resource.attributes[0].value.bytesValue: "!!" where base64 is expected',
    ],
  ];
  for (const [value, message] of failures)
    it(`fails with where and what: ${message.slice(0, 60)}`, () => {
      assert.deepEqual(decodeOtlpJson(value), {
        ok: false,
        message: `not an OTLP metrics request in JSON: ${message}`,
      });
    });

  it('ignores unknown fields, snake_case ones included (OTLP/JSON takes lowerCamelCase only)', () => {
    const decoded = decodeOtlpJson({ resourceMetrics: [], resource_metrics: [{}], extra: { a: 1 } });
    assert.deepEqual(decoded, { ok: true, value: { resourceMetrics: [] } });
  });
});

describe('converting', () => {
  it('gives data point attributes precedence over scope and resource ones, without a note', () => {
    const r = request([gauge('cpu.load', [text('host', 'point')])], [text('host', 'resource'), text('zone', 'z')]);
    const { lines, notes } = collect((sink) => convertOtlpRequest(r, sink, 1));
    assert.deepEqual(lines, [{ text: 'cpu.load,host=point,zone=z gauge,1.5 1732300000000', from: 1 }]);
    assert.ok(!notes.some((n) => `${n.item} ${n.message}`.includes('`host`')), JSON.stringify(notes));
  });

  it('keeps only allow-listed resource attributes when asked to (Dynatrace Classic)', () => {
    const r = request([gauge('cpu.load')], [text('host', 'h'), text('zone', 'z')]);
    const { lines, notes } = collect((sink) => convertOtlpRequest(r, sink, 1, { resourceAttributes: ['zone'] }));
    assert.deepEqual(lines, [{ text: 'cpu.load,zone=z gauge,1.5 1732300000000', from: 1 }]);
    assert.ok(
      notes.some((n) => n.message.includes('only where on the allow-list, as Dynatrace Classic does')),
      JSON.stringify(notes),
    );
  });

  it('drops a data point with more than 50 dimensions and says so once for the metric', () => {
    const many = Array.from({ length: 51 }, (_, i) => text(`k${i}`, 'v'));
    const r = request([gauge('wide.one', many), gauge('wide.one', many), gauge('narrow.one', many.slice(0, 50))]);
    const { lines, notes, tally } = collect((sink) => convertOtlpRequest(r, sink, 1));
    assert.deepEqual(tally, { items: 3, converted: 1, skipped: 2 });
    assert.equal(lines.length, 1);
    assert.deepEqual(
      notes.filter((n) => n.kind === 'skipped'),
      [
        {
          kind: 'skipped',
          line: 1,
          item: 'wide.one',
          count: 2,
          message:
            'more than 50 dimensions: Dynatrace drops the whole data point; send fewer attributes (resource attributes count too)',
        },
      ],
    );
  });
});

// ─── Properties ──────────────────────────────────────────────────────────────────────────────────────────────

const anyString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('service.name', 'Host Name', 'ä', '', 'x'.repeat(300), 'a,b=c d"\\'),
);
const scalarValue: fc.Arbitrary<OtlpAnyValue> = fc.oneof(
  anyString.map((value) => ({ type: 'string' as const, value })),
  fc.boolean().map((value) => ({ type: 'bool' as const, value })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ type: 'int' as const, value })),
  fc.double().map((value) => ({ type: 'double' as const, value: value === 0 ? 0 : value })),
  fc.uint8Array({ maxLength: 4 }).map((value) => ({ type: 'bytes' as const, value })),
);
const anyValue: fc.Arbitrary<OtlpAnyValue | null> = fc.oneof(
  scalarValue,
  fc.constant(null),
  fc.array(scalarValue, { maxLength: 2 }).map((values) => ({ type: 'array' as const, values })),
);
const keyValues = fc.array(fc.record({ key: anyString, value: anyValue }, { noNullPrototype: true }), { maxLength: 4 });
const nanos = fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constant(1732300000000000000n));
const base = { attributes: keyValues, startTimeUnixNano: nanos, timeUnixNano: nanos, flags: fc.nat(3) };
// -0 as 0: OTLP/JSON writes both as 0.
const double = fc.double().map((d) => (d === 0 ? 0 : d));
const maybeDouble = fc.option(double, { nil: null });
const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const counts = fc.array(uint64, { maxLength: 4 });
const buckets = fc.option(
  fc.record({ offset: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), bucketCounts: counts }),
  {
    nil: null,
  },
);
const temporality = fc.nat(3);
const data = fc.oneof(
  fc.record({
    type: fc.constant('gauge' as const),
    dataPoints: fc.array(
      fc.record({ ...base, value: fc.oneof(maybeDouble, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })) }),
      { maxLength: 3 },
    ),
  }),
  fc.record({
    type: fc.constant('sum' as const),
    dataPoints: fc.array(
      fc.record({ ...base, value: fc.oneof(maybeDouble, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })) }),
      { maxLength: 3 },
    ),
    aggregationTemporality: temporality,
    isMonotonic: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('histogram' as const),
    dataPoints: fc.array(
      fc.record({
        ...base,
        count: uint64,
        sum: maybeDouble,
        bucketCounts: counts,
        explicitBounds: fc.array(double, { maxLength: 3 }),
        min: maybeDouble,
        max: maybeDouble,
      }),
      { maxLength: 3 },
    ),
    aggregationTemporality: temporality,
  }),
  fc.record({
    type: fc.constant('exponentialHistogram' as const),
    dataPoints: fc.array(
      fc.record({
        ...base,
        count: uint64,
        sum: maybeDouble,
        scale: fc.integer({ min: -10, max: 20 }),
        zeroCount: uint64,
        positive: buckets,
        negative: buckets,
        min: maybeDouble,
        max: maybeDouble,
        zeroThreshold: double,
      }),
      { maxLength: 3 },
    ),
    aggregationTemporality: temporality,
  }),
  fc.record({
    type: fc.constant('summary' as const),
    dataPoints: fc.array(
      fc.record({
        ...base,
        count: uint64,
        sum: double,
        quantileValues: fc.array(fc.record({ quantile: double, value: double }), { maxLength: 2 }),
      }),
      { maxLength: 3 },
    ),
  }),
);
const metric = fc.record({
  name: fc.oneof(anyString, fc.constantFrom('http.server.duration', 'requests')),
  description: fc.string({ maxLength: 5 }),
  unit: fc.constantFrom('', 's', 'By'),
  data: fc.option(data, { nil: null }),
  metadata: keyValues,
});
const anyRequest: fc.Arbitrary<OtlpRequest> = fc.record({
  resourceMetrics: fc.array(
    fc.record({
      resource: fc.record({ attributes: keyValues, droppedAttributesCount: fc.nat() }),
      scopeMetrics: fc.array(
        fc.record({
          scope: fc.record({
            name: anyString,
            version: fc.string({ maxLength: 3 }),
            attributes: keyValues,
            droppedAttributesCount: fc.nat(),
          }),
          metrics: fc.array(metric, { maxLength: 3 }),
          schemaUrl: fc.string({ maxLength: 3 }),
        }),
        { maxLength: 2 },
      ),
      schemaUrl: fc.string({ maxLength: 3 }),
    }),
    { maxLength: 2 },
  ),
}) as fc.Arbitrary<OtlpRequest>;

const pointsOf = (r: OtlpRequest) =>
  r.resourceMetrics
    .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.map((m) => m.data?.dataPoints.length ?? 0)))
    .reduce((a, b) => a + b, 0);

/**
 * `r` with every metric's data points changed by `points`, and the resource's and scope's attributes by `outer`
 * (copied as they are without it).
 */
function mapRequest(
  r: OtlpRequest,
  points: (dataPoints: OtlpPointBase[]) => OtlpPointBase[],
  outer: (attributes: OtlpKeyValue[], of: 'resource' | 'scope') => OtlpKeyValue[] = (attributes) => attributes,
): OtlpRequest {
  return {
    resourceMetrics: r.resourceMetrics.map((rm) => ({
      ...rm,
      resource: { ...rm.resource, attributes: outer(rm.resource.attributes, 'resource') },
      scopeMetrics: rm.scopeMetrics.map((sm) => ({
        ...sm,
        scope: { ...sm.scope, attributes: outer(sm.scope.attributes, 'scope') },
        metrics: sm.metrics.map((m) =>
          m.data === null ? m : ({ ...m, data: { ...m.data, dataPoints: points(m.data.dataPoints) } } as OtlpMetric),
        ),
      })),
    })),
  };
}

describe('properties', () => {
  it('on any bytes, protobuf conversion never throws and accounts for every item', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        assertAccounted(
          collect((sink) => convertOtlpProtobuf(bytes, sink)),
          String(bytes),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('on any text, the OTLP/JSON converter never throws and accounts for every item', () => {
    const jsonish = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.json({ maxDepth: 4 }),
      anyRequest.map((r) => JSON.stringify(otlpToJson(r))),
    );
    fc.assert(
      fc.property(fc.array(jsonish, { maxLength: 5 }), (lines) => {
        const text = lines.join('\n');
        assertAccounted(convertText(createOtlpJsonConverter, text), text);
      }),
      { numRuns: 300 },
    );
  });

  it('on any well-formed request: both encodings decode to it, every point is an item, every line lints clean', () => {
    fc.assert(
      fc.property(anyRequest, (r) => {
        const viaProtobuf = decodeOtlpProtobuf(otlpToProtobuf(r));
        const viaJson = decodeOtlpJson(otlpToJson(r));
        assert.ok(viaProtobuf.ok && viaJson.ok);
        assert.deepEqual(viaJson.value, viaProtobuf.value);
        const conversion = collect((sink) => convertOtlpRequest(viaProtobuf.value, sink, 1));
        assert.equal(conversion.tally.items, pointsOf(r));
        assert.equal(conversion.lines.length, conversion.tally.converted);
        assertAccounted(conversion, JSON.stringify(otlpToJson(r)));
      }),
      { numRuns: 300 },
    );
  });

  it('on any well-formed requests, a memo kept across them (OtlpSeriesMemo) changes no request’s conversion', () => {
    // Variants of a request's attribute values, keys kept: the same content in new objects (found in the memo), and
    // values of another content or type (not found) — a memo that told any of them apart too little would answer
    // for the wrong one. Resource, scope and point attributes alike.
    const nudges: ((v: OtlpAnyValue | null) => OtlpAnyValue | null)[] = [
      (v) => v && { ...v },
      (v) => {
        if (v === null) return { type: 'bool', value: true };
        if (v.type === 'bool') return { type: 'bool', value: !v.value };
        if (v.type === 'int') return { type: 'int', value: v.value + 1n };
        if (v.type === 'string') return { type: 'string', value: v.value + '1' };
        return null;
      },
      (v) => {
        if (v === null) return { type: 'string', value: '' };
        if (v.type === 'string') return { type: 'int', value: BigInt(v.value.length) };
        if (v.type === 'int' || v.type === 'bool') return { type: 'string', value: String(v.value) };
        return { type: 'double', value: 1.5 };
      },
      (v) => (v?.type === 'bool' ? { type: 'int', value: v.value ? 1n : 0n } : v && { ...v }),
    ];
    type Variant = { nudge: number; at: number; of: 'resource' | 'scope' | 'point' };
    /** `r` with the attribute at `at` of each of its `of` attribute lists nudged, the others copied. */
    const variant = (r: OtlpRequest, { nudge, at, of }: Variant): OtlpRequest => {
      const each = (attributes: OtlpKeyValue[], which: Variant['of']) =>
        attributes.map(({ key, value }, i) => ({
          key,
          value: i === at && which === of ? (nudges[nudge] as (typeof nudges)[number])(value) : value && { ...value },
        }));
      return mapRequest(r, (points) => points.map((p) => ({ ...p, attributes: each(p.attributes, 'point') })), each);
    };
    const anyVariant = fc.record({
      nudge: fc.integer({ min: 0, max: nudges.length - 1 }),
      at: fc.integer({ min: 0, max: 3 }),
      of: fc.constantFrom('resource' as const, 'scope' as const, 'point' as const),
    });
    fc.assert(
      fc.property(anyRequest, fc.array(anyVariant, { minLength: 1, maxLength: 8 }), (r, variants) => {
        const memo = new OtlpSeriesMemo(16, 4_000);
        // The original first and between the variants, each found in the memo or told apart from what is there.
        const requests = [r, ...variants.flatMap((v) => [variant(r, v), r])];
        for (const [i, request] of requests.entries()) {
          const fresh = collect((sink) => convertOtlpRequest(request, sink, 1));
          const kept = collect((sink) =>
            // Every other request by prefix and rest, as the tenant's sink takes them.
            convertOtlpRequest(
              request,
              i % 2 === 0 ? sink : { ...sink, prefixed: (prefix, rest, from) => sink.line(`${prefix} ${rest}`, from) },
              1,
              { seen: memo },
            ),
          );
          assert.deepEqual(kept, fresh, `request ${i}`);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('on any well-formed request, a point repeated in a row converts as often as it comes, with its notes as often', () => {
    // The converter keeps the last point's dimensions for the next one (a batch's series, point after point).
    const copy = <T extends { attributes: OtlpKeyValue[] }>(p: T): T => ({
      ...p,
      attributes: p.attributes.map(({ key, value }) => ({ key, value: value && { ...value } })),
    });
    const repeated = (r: OtlpRequest, times: number): OtlpRequest =>
      mapRequest(r, (points) => points.flatMap((p) => Array.from({ length: times }, () => copy(p))));
    fc.assert(
      fc.property(anyRequest, fc.integer({ min: 2, max: 3 }), (r, times) => {
        const once = collect((sink) => convertOtlpRequest(r, sink, 1));
        const often = collect((sink) => convertOtlpRequest(repeated(r, times), sink, 1));
        assert.deepEqual(
          often.lines,
          once.lines.flatMap((line) => Array.from({ length: times }, () => line)),
        );
        assert.deepEqual(
          often.notes,
          once.notes.map((note) => ({ ...note, count: note.count * times })),
        );
        assert.deepEqual(often.tally, {
          items: once.tally.items * times,
          converted: once.tally.converted * times,
          skipped: once.tally.skipped * times,
        });
      }),
      { numRuns: 300 },
    );
  });
});
