/**
 * FirstPlaces (core/stats/findings.ts), the second reading that places `stats --format sarif`'s findings: the first
 * line the analysis counts for a metric and the first use of a dimension key, whatever the key's suffix or leading
 * blanks, and done once all are found. MK015's and MK016's messages are in their rule fixtures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FirstPlaces } from '#core/stats/findings.ts';

test('places: the first counted line of a metric (a refused one skipped), its dimension’s first use; done when all are', () => {
  const places = new FirstPlaces(
    new Map([
      ['app.requests.count', new Set(['request_id'])],
      ['cpu.load', new Set<string>()],
    ]),
  );
  const lines = [
    'other.metric,request_id=a 1',
    'app.requests,route=/a count,delta=1 1 2 3', // refused: text after the timestamp is an error
    '  app.requests,route=/a count,delta=1',
    'app.requests,route=/a,request_id=x count,delta=1',
    'app.requests,request_id=y count,delta=1',
  ];
  lines.forEach((text, line) => places.read('a.dtmetrics', line, text));
  assert.deepEqual(places.metric('app.requests.count'), { source: 'a.dtmetrics', line: 2, start: 2, end: 14 });
  assert.deepEqual(places.dimension('app.requests.count', 'request_id'), {
    source: 'a.dtmetrics',
    line: 3,
    start: 22,
    end: 32,
  });
  assert.equal(places.done, false, 'cpu.load is still to be found');
  places.read('b.dtmetrics', 0, 'cpu.load 5');
  assert.deepEqual(places.metric('cpu.load'), { source: 'b.dtmetrics', line: 0, start: 0, end: 8 });
  assert.equal(places.done, true);
});

test('a line passed over by its bytes is one reading its text would not have used: the same places either way', () => {
  const wanted = new Map([
    ['req.count', new Set(['route'])],
    ['cpu.gauge', new Set<string>()],
  ]);
  const lines = [
    'other.metric,route=/a 1',
    '\u00a0req,route=/x count,delta=1', // a non-ASCII blank: decoded, and read as the text says
    '\ufeffreq,route=/y count,delta=1',
    'req.countx,route=/z count,delta=1',
    '\t req,route=/b count,delta=1',
    'réq,route=/c count,delta=1',
    'cpu 5',
    '\x0breq,route=/d count,delta=1',
    'req,zone=a count,delta=1',
    'req,route=/e count,delta=1',
  ];
  const encoder = new TextEncoder();
  const byText = new FirstPlaces(wanted);
  const byBytes = new FirstPlaces(wanted);
  const passedOver: number[] = [];
  lines.forEach((line, i) => {
    byText.read('f', i, line);
    const bytes = encoder.encode(line);
    if (byBytes.passesOver(bytes, 0, bytes.length)) passedOver.push(i);
    else byBytes.read('f', i, line);
  });
  assert.deepEqual(passedOver, [0, 3]);
  for (const [key, dimensions] of wanted) {
    assert.deepEqual(byBytes.metric(key), byText.metric(key), key);
    for (const d of dimensions) assert.deepEqual(byBytes.dimension(key, d), byText.dimension(key, d), `${key} ${d}`);
  }
  assert.equal(byText.metric('req.count')?.line, 4);
});
