/**
 * The host a OneAgent adds (core/metrics/host-entity.ts): the ID read strictly, the dimension added to the points
 * ingest checks with a host, a line's own host kept, no 51st dimension, nothing added without a host.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readHostEntity, withHostEntity } from '#core/metrics/host-entity.ts';
import { checkIngest } from '#core/metrics/ingest.ts';

const HOST = 'HOST-06F288EE2A930951';
const NOW = Date.parse('2026-12-04T20:30:00Z');

/** The dimensions each point of `body` stores, checked at the OneAgent's endpoint with `host`. */
const storedDimensions = (body: string, host: string | null) =>
  checkIngest(body, NOW, 'oneagent', host).records.map(({ record }) =>
    'point' in record ? record.point.dimensions : null,
  );

describe('host entity', () => {
  it('reads HOST- and 16 upper-case hex digits, and nothing else', () => {
    assert.deepEqual(readHostEntity(HOST), { ok: true, value: HOST });
    for (const bad of [
      '',
      'HOST-06F288EE2A93095',
      'HOST-06F288EE2A9309511',
      'HOST-06f288ee2a930951',
      'host-06F288EE2A930951',
      'PROCESS_GROUP-06F288EE2A930951',
      ' HOST-06F288EE2A930951',
      'HOST-06F288EE2A93095G',
    ]) {
      const read = readHostEntity(bad);
      assert.equal(read.ok, false, bad);
      assert.equal(
        !read.ok && read.message,
        `'${bad}' is not a host entity ID: HOST- and 16 upper-case hexadecimal digits, as in HOST-06F288EE2A930951`,
      );
    }
  });

  it('adds dt.entity.host to each data point, none to metadata, and nothing without a host', () => {
    const body = 'cpu.temp,cpu=1 55\n#cpu.temp gauge dt.meta.unit=DegreeCelsius\ndisk.free 3';
    assert.deepEqual(storedDimensions(body, HOST), [
      [
        ['cpu', '1'],
        ['dt.entity.host', HOST],
      ],
      null,
      [['dt.entity.host', HOST]],
    ]);
    assert.deepEqual(storedDimensions(body, null), [[['cpu', '1']], null, []]);
  });

  it("keeps a line's own dt.entity.host, and adds none to a line with 50 dimensions already", () => {
    const other = 'HOST-0990886B7D39FE29';
    assert.deepEqual(storedDimensions(`cpu.temp,dt.entity.host=${other} 55`, HOST), [[['dt.entity.host', other]]]);
    const fifty = Array.from({ length: 50 }, (_, i) => [`d${i}`, 'v'] as const);
    assert.deepEqual(withHostEntity(fifty, HOST), fifty);
    assert.equal(withHostEntity(fifty.slice(1), HOST).length, 50);
    const line = `cpu.temp,${fifty.map(([k, v]) => `${k}=${v}`).join(',')} 55`;
    assert.deepEqual(storedDimensions(line, HOST), [fifty]);
  });
});
