/**
 * How values are written for a reader (core/metrics/units.ts, and formatValue, which the results panel's webview
 * applies): a descriptor's unit as a symbol after values and on the axis, and one number of decimals a column.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { columnDecimals, unitText } from '#core/metrics/units.ts';
import { formatValue } from '#client/query/messages.ts';

describe('unitText: a unit id as written after a value and on an axis', () => {
  // unit id (as a descriptor or a metadata line gives it) → after a value, on an axis
  const UNITS: [string | null, string, string][] = [
    ['MilliSecond', ' ms', 'ms'],
    ['MicroSecond', ' µs', 'µs'],
    ['NanoSecond', ' ns', 'ns'],
    ['Second', ' s', 's'],
    ['Minute', ' min', 'min'],
    ['Byte', ' B', 'B'],
    ['KiloByte', ' kB', 'kB'],
    ['MebiByte', ' MiB', 'MiB'],
    ['BytePerSecond', ' B/s', 'B/s'],
    ['PerSecond', '/s', '/s'],
    ['Percent', '%', '%'],
    ['Promille', '‰', '‰'],
    ['DegreeCelsius', ' °C', '°C'],
    ['Kilo', 'k', 'k'],
    ['Count', '', 'count'],
    ['count', '', 'count'],
    ['MILLISECOND', ' ms', 'ms'],
    ['Ratio', '', 'ratio'],
    ['Unspecified', '', ''],
    ['NotApplicable', '', ''],
    ['Request', ' Request', 'Request'],
    ['  ', '', ''],
    [null, '', ''],
  ];
  for (const [unit, suffix, label] of UNITS)
    it(`${JSON.stringify(unit)} → '${suffix}', '${label}'`, () => assert.deepEqual(unitText(unit), { suffix, label }));
});

describe('columnDecimals and formatValue: one number of decimals a column, thousands grouped', () => {
  // a column's values → as written (4 significant digits of the largest, 2 of the spread, never more than needed)
  const COLUMNS: [(number | null)[], string[]][] = [
    [
      [42.7949, 128.744],
      ['42.8', '128.7'],
    ],
    [
      [5, 7, 12],
      ['5', '7', '12'],
    ],
    [
      [1203.4, 88.3],
      ['1,203', '88'],
    ],
    [
      [1000.1, 1000.2, 1000.35],
      ['1,000.10', '1,000.20', '1,000.35'],
    ],
    [
      [0.00123, 0.00456],
      ['0.00123', '0.00456'],
    ],
    [
      [12.333333333, 12.5],
      ['12.33', '12.50'],
    ],
    [
      [-0.5, 0.25],
      ['-0.50', '0.25'],
    ],
    [
      [0.1 + 0.2, 0.7],
      ['0.3', '0.7'],
    ],
    [
      [1_500_000_000.5, 2],
      ['1,500,000,001', '2'],
    ],
    [
      [null, 3.25, null],
      ['—', '3.25', '—'],
    ],
    [
      [0, 0],
      ['0', '0'],
    ],
    [[], []],
  ];
  for (const [values, written] of COLUMNS)
    it(`${JSON.stringify(values)} → ${written.join(' / ') || '(none)'}`, () => {
      const decimals = columnDecimals(values);
      assert.deepEqual(
        values.map((v) => formatValue(v, { decimals, suffix: '' })),
        written,
      );
    });

  it('a suffix follows the number', () => {
    assert.equal(formatValue(1234.5, { decimals: 1, suffix: ' ms' }), '1,234.5 ms');
    assert.equal(formatValue(99.5, { decimals: 0, suffix: '%' }), '100%');
    assert.equal(formatValue(null, { decimals: 1, suffix: ' ms' }), '—');
  });
});
