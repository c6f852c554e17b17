/**
 * `dtmetrics stats --format sarif`: the analysis's findings as SARIF (reporters.ts), for a pull request's diff view
 * (GitHub code scanning): MK015 on each volatile dimension, and with a base MK016 on each metric that gains new
 * series. The analysis keeps no positions, so the files are read a second time for them, and each only until every
 * wanted place is found; standard input cannot be read twice, and its results name it without a place.
 */
import type { StatsReport } from '#core/stats/analysis.ts';
import { FirstPlaces, newSeriesProblem, volatileProblem, type Place } from '#core/stats/findings.ts';
import { ruleSeverity, type Problem } from '#core/problems.ts';
import { describeSystemError, UserError } from '#edge/errors.ts';
import type { Input } from './inputs.ts';
import { readChunks, readLines } from './read-lines.ts';
import { SARIF_END, sarifArtifact, sarifHead, sarifResult, type Write } from './reporters.ts';

/** What the report was compared with: its name in a message (`--base`, a git ref), and the gate (-1: none). */
export interface SarifBase {
  against: string;
  maxNewSeries: number;
}

export async function writeStatsSarif(
  report: StatsReport,
  inputs: readonly Input[],
  base: SarifBase | null,
  write: Write,
  version: string,
): Promise<void> {
  const gaining = base === null ? [] : report.metrics.filter((m) => (m.change?.newSeries ?? 0) > 0);
  const wanted = new Map<string, Set<string>>();
  for (const m of gaining) wanted.set(m.key, new Set());
  for (const m of report.metrics) {
    const volatile = m.dimensions.filter((d) => d.volatile !== null).map((d) => d.key);
    if (volatile.length > 0) wanted.set(m.key, new Set(volatile));
  }
  const places = await firstPlaces(inputs, wanted);
  // Standard input's results, where a file holds none of a metric's lines.
  const unplaced = inputs.some((input) => input.kind === 'stdin') ? sarifArtifact('-') : null;
  const results: string[] = [];
  const add = (place: Place | undefined, found: (start: number, end: number) => Problem | null) => {
    const artifact = place === undefined ? unplaced : sarifArtifact(place.source);
    const p = found(place?.start ?? 0, place?.end ?? 0);
    if (p === null || artifact === null) return;
    const finding = { code: p.code, severity: ruleSeverity(p), message: p.message };
    const region =
      place === undefined
        ? null
        : { startLine: place.line + 1, startColumn: p.start + 1, endLine: place.line + 1, endColumn: p.end + 1 };
    results.push(JSON.stringify(sarifResult(finding, artifact, region)));
  };
  for (const m of report.metrics) {
    if (base !== null)
      add(places.metric(m.key), (start, end) => newSeriesProblem(m, base.against, base.maxNewSeries, start, end));
    for (const d of m.dimensions)
      add(places.dimension(m.key, d.key), (start, end) => volatileProblem(m, d, start, end));
  }
  write(sarifHead(version) + results.map((r) => '\n' + r).join(',') + SARIF_END);
}

/** The second reading: the files in the order the analysis read them, each until every wanted place is found. */
async function firstPlaces(inputs: readonly Input[], wanted: ReadonlyMap<string, ReadonlySet<string>>) {
  const places = new FirstPlaces(wanted);
  for (const input of inputs) {
    if (places.done) break;
    if (input.kind !== 'file') continue;
    let line = 0;
    // Stops reading the file (and closes it) at the next chunk once every place is found.
    const chunks = async function* () {
      for await (const chunk of readChunks(input.name)) {
        if (places.done) return;
        yield chunk;
      }
    };
    try {
      await readLines(
        chunks(),
        {
          // A line whose key is no wanted metric's is counted and passed over undecoded.
          bytes: (buf, start, end) => places.passesOver(buf, start, end) && (line++, true),
          text: (text) => places.read(input.name, line++, text),
        },
        async () => {},
      );
    } catch (error) {
      throw new UserError(`cannot read '${input.name}' again for the findings' places: ${describeSystemError(error)}`);
    }
  }
  return places;
}
