/**
 * What is measured on each server: a sanity check that answers are of the changed version, then series of timed
 * one-character edits, the two servers of a pair taking turns by blocks so that both see the same machine noise.
 */
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import type { Doc, Position } from './documents.ts';
import type { Server } from './harness.ts';

/** Timed edits per series (BENCH_EDITS, at least 50), after WARMUP_EDITS untimed ones. */
export const EDITS = Math.max(50, Number(process.env.BENCH_EDITS) || 60);
export const WARMUP_EDITS = 10;

/** Edits `i` of a series: pairs on one spot, insert then delete, so the text comes back after every pair. */
function editOf(doc: Doc, i: number): [Position, string | null] {
  return [doc.spots[Math.floor(i / 2) % doc.spots.length] as Position, i % 2 === 0 ? 'x' : null];
}

const onLine = (ds: Diagnostic[], line: number): Diagnostic[] => ds.filter((d) => d.range.start.line === line);

/**
 * Before timing: an edit that breaks a line must come back with a diagnostic on that line, and its undo with none
 * there and as many as before: the answers are of the changed version, not an older one.
 */
async function sanityCheck(server: Server, doc: Doc, initial: Diagnostic[], breaker: string): Promise<string> {
  const spot = doc.spots.find((s) => onLine(initial, s.line).length === 0);
  if (!spot) throw new Error(`${server.label}: every edited line already has a diagnostic`);
  const broken = await server.edit(spot, breaker);
  const fixed = await server.edit(spot, null);
  const found = onLine(broken.diagnostics, spot.line);
  if (found.length === 0)
    throw new Error(
      `${server.label}: inserting ${JSON.stringify(breaker)} at ${spot.line}:${spot.character} gave no diagnostic on that line`,
    );
  if (onLine(fixed.diagnostics, spot.line).length > 0 || fixed.diagnostics.length !== initial.length) {
    throw new Error(
      `${server.label}: after undoing the edit, ${fixed.diagnostics.length} diagnostics (${initial.length} before)`,
    );
  }
  return `${JSON.stringify(breaker)} → ${String(found[0]?.code ?? JSON.stringify(found[0]?.message).slice(0, 60))}`;
}

export interface Series {
  server: Server;
  doc: Doc;
  initial: Diagnostic[];
  openMs: number;
  check: string;
  /** Every timed edit's wait, of all runs. */
  samples: number[];
  /** The same, per run of `interleave`. */
  runs: number[][];
  /** dtmetrics: the server's own lint time for each measured version. */
  lintMs: number[];
  /** JSON validate: delayed validations that got in before a timed edit's answer. */
  strays: number;
  final: number;
}

export async function prepare(server: Server, doc: Doc, breaker: string): Promise<Series> {
  await server.initialize();
  const opened = await server.open(doc.text);
  const check = await sanityCheck(server, doc, opened.diagnostics, breaker);
  return {
    server,
    doc,
    initial: opened.diagnostics,
    openMs: opened.ms,
    check,
    samples: [],
    runs: [],
    lintMs: [],
    strays: 0,
    final: -1,
  };
}

/** Edits per turn: the series of a pair take turns by blocks of this many edits. */
export const BLOCK = 10;

/**
 * Runs the series by turns, a block of edits each, so they share the machine's noise; `runs` times over (EDITS timed
 * edits each, after WARMUP_EDITS untimed ones before the first), so that the noise of the machine's other load shows
 * as the spread between runs. Between blocks the JSON server's own delayed validation is waited for, so it never
 * overlaps a timed edit of another server.
 */
export async function interleave(series: Series[], runs = 1): Promise<void> {
  for (const s of series) await s.server.settle();
  for (let run = 0; run < runs; run++) {
    const first = run === 0 ? 0 : WARMUP_EDITS;
    const total = WARMUP_EDITS + EDITS;
    for (const s of series) s.runs.push([]);
    for (let block = first; block < total; block += BLOCK) {
      for (const s of series) {
        for (let i = block; i < Math.min(total, block + BLOCK); i++) {
          const [at, char] = editOf(s.doc, i);
          const straysBefore = s.server.strays;
          const reply = await s.server.edit(at, char);
          if (i < WARMUP_EDITS) continue;
          s.strays += s.server.strays - straysBefore;
          s.samples.push(reply.ms);
          s.runs[run]?.push(reply.ms);
          const lint = s.server.lintMs.get(reply.version);
          if (lint !== undefined) s.lintMs.push(lint);
        }
        await s.server.settle();
      }
    }
  }
  for (const s of series) {
    if (s.server.mode === 'push') continue;
    s.final = (await s.server.edit(...editOf(s.doc, 0))).diagnostics.length;
    await s.server.edit(...editOf(s.doc, 1));
  }
}
