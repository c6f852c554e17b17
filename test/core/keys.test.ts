/**
 * The key rules every part shares (core/keys.ts, core/text.ts): the characters of metric and dimension keys as
 * DOC D1 lists them, and the key a metric is stored under, as the linter (MK010), the local
 * tenant's ingest and the query hints of the CLI and the editor apply it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  endsWithCountSuffix,
  isBadDimensionSectionStart,
  isBadMetricKeyStart,
  isDimensionKeyChar,
  isMetricKeyChar,
  isMetricKeyForm,
  storedKey,
} from '#core/keys.ts';
import { isBlank, isDigit, isLower, isUpper } from '#core/text.ts';
import { checkIngest } from '#core/metrics/ingest.ts';
import { lintText } from '#core/lint.ts';
import { storedKeyOfLine } from '#client/query/metric-keys.ts';

const NOW = 1_732_300_000_000;

describe('character classes, as PROTOCOL lists them, over every UTF-16 code unit', () => {
  const classes: [string, (c: number) => boolean, RegExp][] = [
    ['isDigit', isDigit, /[0-9]/],
    ['isLower', isLower, /[a-z]/],
    ['isUpper', isUpper, /[A-Z]/],
    ['isBlank', isBlank, /[ \t]/],
    ['isMetricKeyChar (MK003: letters, digits, - and _)', isMetricKeyChar, /[A-Za-z0-9_-]/],
    ['isDimensionKeyChar (DK001: lower-case letters, digits, -, : and _)', isDimensionKeyChar, /[a-z0-9_:-]/],
    ['isBadMetricKeyStart (MK002: not a digit or -)', isBadMetricKeyStart, /[0-9-]/],
    ['isBadDimensionSectionStart (DK002: [a-z_] only, of the key characters)', isBadDimensionSectionStart, /[0-9:-]/],
  ];
  for (const [name, predicate, spec] of classes) {
    it(name, () => {
      for (let c = 0; c <= 0xffff; c++)
        assert.equal(predicate(c), spec.test(String.fromCharCode(c)), `U+${c.toString(16).padStart(4, '0')}`);
    });
  }
});

describe('isMetricKeyForm: written as a metric key (the editor queries only these)', () => {
  for (const [key, form] of [
    ['cpu.load', true],
    ['_private.x', true],
    ['My-Metric.count_2', true],
    ['a..b', true],
    ['1metric', false],
    ['-metric', false],
    ['.metric', false],
    ['', false],
    ['cpu load', false],
    ['{"a":1}', false],
    ['größe', false],
    ['cpu.load:avg', false],
  ] as const) {
    it(`${JSON.stringify(key)}: ${form}`, () => assert.equal(isMetricKeyForm(key), form));
  }
});

describe('storedKey: one suffix rule for the linter, the local tenant and the query hints', () => {
  for (const [key, type, stored] of [
    ['jobs', 'count', 'jobs.count'],
    ['jobs.count', 'count', 'jobs.count'],
    ['jobs_count', 'count', 'jobs_count'],
    ['jobscount', 'count', 'jobscount.count'],
    ['jobs.Count', 'count', 'jobs.Count.count'],
    ['jobs', 'gauge', 'jobs'],
    ['jobs.count', 'gauge', 'jobs.count.gauge'],
    ['jobs_count', 'gauge', 'jobs_count.gauge'],
    ['jobs.counter', 'gauge', 'jobs.counter'],
  ] as const) {
    it(`${key} (${type}) is stored as ${stored}`, () => {
      assert.equal(storedKey(key, type), stored);
      assert.equal(endsWithCountSuffix(key), key !== stored ? type === 'gauge' : type === 'count');
      const payload = type === 'count' ? 'count,delta=1' : 'gauge,1';
      const ingested = checkIngest(`${key} ${payload}`, NOW, 'api').records.map(({ record }) =>
        'point' in record ? record.point.key : record.metadata.key,
      );
      assert.deepEqual(ingested, [stored], 'the local tenant stores it there');
      assert.equal(storedKeyOfLine(`${key} ${payload}`), stored, 'the editor queries it there');
      for (const line of [`#${key} ${type} dt.meta.unit=Count`, `${key} ${payload}`]) {
        const notes = lintText(line, { now: NOW }).filter((d) => d.code === 'MK010');
        assert.deepEqual(
          notes.map((d) => /stored as `([^`]+)`/.exec(d.message)?.[1]),
          stored !== key ? [stored] : [],
          `the linter says where ${line} is stored`,
        );
      }
    });
  }
});
