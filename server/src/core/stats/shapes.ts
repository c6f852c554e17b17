/**
 * What a dimension value looks like, for the volatile-dimension heuristic: the kinds of value the best practices
 * warn against as dimensions (DOC D5, INGEST-PATHS §3: UUIDs, epochs, IPs, numbers, free text) and ids. Strong
 * shapes (a timestamp, a UUID, an id) are new with nearly every event; weak ones (an IP, a number, free text) may
 * also be a small fixed set (hosts, status codes), so they count only with many distinct values (COST).
 */

import { isDigit, isLower, isUpper } from '../text.ts';

export type ValueShape = 'timestamp' | 'uuid' | 'id' | 'ip' | 'number' | 'text';

export const STRONG_SHAPES: ReadonlySet<ValueShape> = new Set(['timestamp', 'uuid', 'id']);

/** What each shape is called in a report. */
export const SHAPE_NAMES: Readonly<Record<ValueShape, string>> = {
  timestamp: 'timestamps',
  uuid: 'UUIDs',
  id: 'ids (long hex or letters and digits)',
  ip: 'IP addresses',
  number: 'numbers',
  text: 'free text',
};

/** Epoch seconds or milliseconds of the years 2000–3000 (the libraries' window), or an ISO-8601 date-time. */
const EPOCH = /^(\d{9,11}|\d{12,14})(\.\d+)?$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?$/;
/** Compressed (`::`) or full (8 groups): `a:b:c` is a name, not an address. */
const IPV6_COMPRESSED = /^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}$/i;
const IPV6_FULL = /^([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}$/i;
/** A Dynatrace entity id (`HOST-1234567890ABCDEF`): the name of a monitored entity, as stable as it is. */
const ENTITY_ID = /^[A-Z][A-Z0-9_]*-[0-9A-F]{16}$/;
const HEX_ID = /^(0x)?[0-9a-f]{16,}$/i;
const TOKEN_ID = /^[A-Za-z0-9_-]{16,}$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

const YEAR_2000_S = 946_684_800;
const YEAR_3000_S = 32_503_680_000;

function isEpoch(value: string): boolean {
  if (!EPOCH.test(value)) return false;
  const n = Number(value);
  return (n >= YEAR_2000_S && n <= YEAR_3000_S) || (n >= YEAR_2000_S * 1000 && n <= YEAR_3000_S * 1000);
}

/** Whether at least `min` characters of `value` pass `test`. */
function atLeast(value: string, min: number, test: (c: number) => boolean): boolean {
  let n = 0;
  for (let i = 0; i < value.length && n < min; i++) if (test(value.charCodeAt(i))) n++;
  return n >= min;
}

const isLetter = (c: number): boolean => isLower(c) || isUpper(c);

/** The volatile shape a value has, or null for a value that looks like a name. */
export function valueShape(value: string): ValueShape | null {
  if (ENTITY_ID.test(value)) return null;
  if (isEpoch(value) || ISO_DATE_TIME.test(value)) return 'timestamp';
  if (UUID.test(value)) return 'uuid';
  if (IPV4.test(value) || IPV6_FULL.test(value) || (value.includes('::') && IPV6_COMPRESSED.test(value))) return 'ip';
  if (HEX_ID.test(value) && atLeast(value, 1, isDigit)) return 'id';
  // A long token of letters and digits mixed, as request and session ids are; names rarely hold 4 digits.
  if (TOKEN_ID.test(value) && atLeast(value, 4, isDigit) && atLeast(value, 4, isLetter)) return 'id';
  if (NUMBER.test(value)) return 'number';
  if (value.includes(' ')) return 'text';
  return null;
}
