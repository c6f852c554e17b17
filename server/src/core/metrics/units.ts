/**
 * How a metric's values are written for a reader: the unit of its descriptor (`dt.meta.unit`, the Units API's ids,
 * DOC D15) as a short symbol, and the number of decimals one column of values takes. The results panel (axis,
 * legend, table) and any table of the CLI read the same rules. Pure.
 */

/** What a value is followed by, and what an axis or a column head names. */
export interface UnitText {
  /** After a value: ` ms`, `%`, ` °C`; empty for plain numbers (Count, Unspecified). */
  suffix: string;
  /** An axis's or column head's name of the unit: `ms`, `%`, `count`; empty when the unit says nothing. */
  label: string;
}

export const NO_UNIT: UnitText = { suffix: '', label: '' };

/**
 * The Units API's ids (DOC D15; the symbols it gives, such as `ms`, `B/s`, `MiB`) as short symbols. A symbol that
 * starts with `/` or is a sign (`%`, `‰`) or a multiplier (`k`) is written against the number; the others after a
 * space. Ids are matched without regard to case: metadata lines are written by hand (`dt.meta.unit=count`).
 */
const SYMBOLS: Readonly<Record<string, string>> = {
  NanoSecond: 'ns',
  MicroSecond: 'µs',
  MilliSecond: 'ms',
  Second: 's',
  Minute: 'min',
  Hour: 'h',
  Day: 'd',
  Week: 'w',
  Month: 'mo',
  Year: 'y',
  NanoSecondPerMinute: 'ns/min',
  MilliSecondPerMinute: 'ms/min',
  Bit: 'bit',
  Byte: 'B',
  KiloByte: 'kB',
  MegaByte: 'MB',
  GigaByte: 'GB',
  TeraByte: 'TB',
  KibiByte: 'KiB',
  MebiByte: 'MiB',
  GibiByte: 'GiB',
  TebiByte: 'TiB',
  BitPerSecond: 'bit/s',
  BitPerMinute: 'bit/min',
  BitPerHour: 'bit/h',
  BytePerSecond: 'B/s',
  BytePerMinute: 'B/min',
  BytePerHour: 'B/h',
  KiloBytePerSecond: 'kB/s',
  KiloBytePerMinute: 'kB/min',
  KiloBytePerHour: 'kB/h',
  MegaBytePerSecond: 'MB/s',
  MegaBytePerMinute: 'MB/min',
  MegaBytePerHour: 'MB/h',
  KibiBytePerSecond: 'KiB/s',
  KibiBytePerMinute: 'KiB/min',
  KibiBytePerHour: 'KiB/h',
  MebiBytePerSecond: 'MiB/s',
  MebiBytePerMinute: 'MiB/min',
  MebiBytePerHour: 'MiB/h',
  PerSecond: '/s',
  PerMinute: '/min',
  PerHour: '/h',
  Percent: '%',
  Promille: '‰',
  DegreeCelsius: '°C',
  DegreeFahrenheit: '°F',
  Kelvin: 'K',
  Hertz: 'Hz',
  Cores: 'cores',
  MilliCores: 'mCores',
  Pixel: 'px',
  DecibelMilliWatt: 'dBm',
  Kilo: 'k',
  Mega: 'M',
  Giga: 'G',
  MSU: 'MSU',
};

/** Units whose values are plain numbers: the axis still says what they count, when it is anything. */
const PLAIN: Readonly<Record<string, string>> = {
  Count: 'count',
  Ratio: 'ratio',
  State: '',
  Unspecified: '',
  NotApplicable: '',
};

/** Every unit id the tables know, as the Units API spells them: what completion offers after `dt.meta.unit=`. */
export const UNIT_IDS: readonly string[] = [...Object.keys(SYMBOLS), ...Object.keys(PLAIN)];

const byLowerCase = <T>(table: Readonly<Record<string, T>>) =>
  new Map(Object.entries(table).map(([id, value]) => [id.toLowerCase(), value]));
const SYMBOL_OF = byLowerCase(SYMBOLS);
const PLAIN_LABEL_OF = byLowerCase(PLAIN);
const JOINED = new Set(['%', '‰', 'k', 'M', 'G']);

/**
 * A unit id as written after values and on an axis. An id the table does not know (a custom unit such as
 * `Request`) is written as it is; none (a result without a descriptor) is no unit.
 */
export function unitText(unit: string | null | undefined): UnitText {
  const id = unit?.trim() ?? '';
  if (id === '') return NO_UNIT;
  const plain = PLAIN_LABEL_OF.get(id.toLowerCase());
  if (plain !== undefined) return { suffix: '', label: plain };
  const symbol = SYMBOL_OF.get(id.toLowerCase()) ?? id;
  return { suffix: symbol.startsWith('/') || JOINED.has(symbol) ? symbol : ` ${symbol}`, label: symbol };
}

/** Significant digits the largest value of a column keeps (128.744 → 128.7). */
const SIGNIFICANT = 4;
/** Significant digits the spread of a column keeps, so that values close together still differ (1,000.1 / 1,000.2). */
const SPREAD_SIGNIFICANT = 2;
const MAX_DECIMALS = 12;

/**
 * The decimals every value of one column is written with: enough for SIGNIFICANT digits of its largest value and
 * SPREAD_SIGNIFICANT of its spread, never more than any value needs (a column of whole numbers has none).
 */
export function columnDecimals(values: readonly (number | null)[]): number {
  let largest = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value === null || !Number.isFinite(value)) continue;
    largest = Math.max(largest, Math.abs(value));
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  if (largest === 0) return 0;
  const forMagnitude = SIGNIFICANT - 1 - Math.floor(Math.log10(largest));
  const spread = max - min;
  const forSpread = spread > 0 ? SPREAD_SIGNIFICANT - 1 - Math.floor(Math.log10(spread)) : 0;
  const enough = Math.min(MAX_DECIMALS, Math.max(0, forMagnitude, forSpread));
  // As many as the values need, up to enough: the scan ends at the first value that needs that many.
  let needed = 0;
  for (const value of values) {
    if (value === null || !Number.isFinite(value)) continue;
    needed = Math.max(needed, decimalsOf(value, enough));
    if (needed === enough) break;
  }
  return needed;
}

/** The fewest decimals that write `value` as it is (0.1 + 0.2 → 1), at most `limit`. */
function decimalsOf(value: number, limit: number): number {
  for (let decimals = 0; decimals < limit; decimals++) {
    const scale = 10 ** decimals;
    if (Math.abs(Math.round(value * scale) / scale - value) <= Math.abs(value) * 1e-12) return decimals;
  }
  return limit;
}
