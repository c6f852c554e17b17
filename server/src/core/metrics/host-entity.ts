/**
 * The host a OneAgent's local ingest ties data to: "the Dynatrace reserved `dt.entity.host=<host-ID>` dimension is
 * added to each metric" sent to `/metrics/ingest` (DOC D2, D14), and its StatsD listener adds the host as well
 * (DOC D21; an ActiveGate's remote listener adds nothing). The local tenant does the same when it is given a host
 * (`dtmetrics serve --host-entity`). Pure.
 *
 * Two choices no source settles (INF): a line that names its own `dt.entity.host` keeps it (the docs tell apps to
 * add it themselves on the API, and nothing says the OneAgent replaces one), and a line that already has the 50
 * dimensions a line may have (DOC D1) is stored without the host rather than with 51. The host name the OneAgent
 * also adds is left out: no source names its dimension key.
 */
import type { Result } from '../result.ts';
import { LIMITS } from '../rules.ts';

export const HOST_ENTITY_KEY = 'dt.entity.host';

/** A host's entity ID as every source writes it: `HOST-` and 16 upper-case hexadecimal digits (DOC D1, D6). */
const HOST_ENTITY_ID = /^HOST-[0-9A-F]{16}$/;

/** `text` as a host entity ID, or why it is not one. */
export function readHostEntity(text: string): Result<string> {
  return HOST_ENTITY_ID.test(text)
    ? { ok: true, value: text }
    : {
        ok: false,
        message: `'${text}' is not a host entity ID: HOST- and 16 upper-case hexadecimal digits, as in HOST-06F288EE2A930951`,
      };
}

/** A data point's dimensions with `dt.entity.host=host` added, unless the line names a host or has no room left. */
export function withHostEntity(
  dimensions: readonly (readonly [string, string])[],
  host: string,
): (readonly [string, string])[] {
  if (dimensions.length >= LIMITS.dimensionsPerLine || dimensions.some(([key]) => key === HOST_ENTITY_KEY))
    return [...dimensions];
  return [...dimensions, [HOST_ENTITY_KEY, host]];
}
