/**
 * The documents of the latency bench: metric lines (lsp-common.ts) and JSON holding the same data, each at 1 MB and
 * at 10 MB, with the spots where the one-character edits go.
 */
import type { DataLine } from '#core/parse.ts';
import { fmtInt, metricLines } from '../lsp-common.ts';

/** The size of each document: the small one, and the large one that a one-character edit must not slow down. */
export const SMALL_BYTES = 1_000_000;
export const LARGE_BYTES = 10_000_000;

export interface Position {
  line: number;
  character: number;
}

export interface Doc {
  text: string;
  lines: number;
  bytes: number;
  /** Where the one-character edits go: inside a value, one place per line, spread over the document. */
  spots: Position[];
  describe: string;
}

/** Spots spread evenly over the candidate lines, `count` of them. */
function spread(candidates: Position[], count: number): Position[] {
  if (candidates.length === 0) throw new Error('no line to edit in the document');
  const out: Position[] = [];
  for (let i = 0; i < count; i++) out.push(candidates[Math.floor(((i + 0.5) * candidates.length) / count)] as Position);
  return out;
}

/**
 * About `targetBytes` of metric lines (lsp-common.ts), timestamps ending 5 minutes from now; edits go inside a value,
 * one place per line, spread over the document.
 */
export function metricsDocument(targetBytes: number): { doc: Doc; parsed: DataLine[] } {
  const { lines, data, composition } = metricLines(targetBytes, Date.now() + 300_000);
  const candidates: Position[] = [];
  for (const { index, parsed: p } of data) {
    if (p.problems.length > 0) continue;
    const line = lines[index] as string;
    // The unquoted dimension value nearest the middle of the line, edited in its middle between two letters or digits.
    const mid = line.length / 2;
    let best: Position | null = null;
    for (const d of p.dimensions) {
      if (d.quoted || d.value.end - d.value.start < 4) continue;
      const at = d.value.start + Math.floor((d.value.end - d.value.start) / 2);
      if (!/^[a-z0-9]{2}$/i.test(line.slice(at - 1, at + 1))) continue;
      if (!best || Math.abs(at - mid) < Math.abs(best.character - mid)) best = { line: index, character: at };
    }
    if (best) candidates.push(best);
  }
  const text = lines.join('\n');
  return {
    doc: {
      text,
      lines: lines.length,
      bytes: Buffer.byteLength(text),
      spots: spread(candidates, 64),
      describe: composition,
    },
    parsed: data.map((d) => d.parsed),
  };
}

/**
 * About `targetBytes` of JSON with the same content: an array of objects, one per data line (metric, dimensions, value
 * or summary, timestamp), as JSON.stringify(…, null, 2) writes it; edits go inside string values.
 */
export function jsonDocument(parsed: DataLine[], targetBytes: number): Doc {
  const records: unknown[] = [];
  let bytes = 4;
  for (let i = 0; bytes < targetBytes; i++) {
    const p = parsed[i % parsed.length] as DataLine;
    const record: Record<string, unknown> = {
      metric: p.key.text,
      dimensions: Object.fromEntries(p.dimensions.map((d) => [d.key.text, d.text])),
    };
    const payload = p.payload;
    if (payload?.kind === 'gauge') record.gauge = Number(payload.value.text);
    else if (payload?.kind === 'count') record.count = { delta: Number(payload.delta?.text ?? payload.legacy?.text) };
    else if (payload?.kind === 'summary')
      record.summary = Object.fromEntries(payload.fields.map((f) => [f.name.text, Number(f.value.text)]));
    if (p.timestamp) record.timestamp = Number(p.timestamp.text);
    records.push(record);
    // Inside the array every line of the record is indented two more spaces; `,\n` between records.
    const own = JSON.stringify(record, null, 2);
    bytes += Buffer.byteLength(own) + 2 * own.split('\n').length + 2;
  }
  const text = JSON.stringify(records, null, 2) + '\n';
  const lines = text.split('\n');
  const candidates: Position[] = [];
  lines.forEach((line, i) => {
    const m = /^(\s*"[^"\\]+": ")([a-z0-9][a-z0-9._-]{3,})",?$/i.exec(line);
    if (m) candidates.push({ line: i, character: (m[1] as string).length + Math.floor((m[2] as string).length / 2) });
  });
  return {
    text,
    lines: lines.length,
    bytes: Buffer.byteLength(text),
    spots: spread(candidates, 64),
    describe: `${fmtInt(records.length)} objects, 2-space indentation`,
  };
}
