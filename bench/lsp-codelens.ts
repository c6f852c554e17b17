/**
 * The cost and cardinality CodeLens on a 1 MB document (issue 15, part 5), over real JSON-RPC with the built server
 * (pull diagnostics). For each of 40 one-character edits (typed, then undone): the pull diagnostics of the edited
 * version, and a `textDocument/codeLens` request after the undo, timed to its answer; by a client that cannot be
 * asked to refresh its lenses (the lens waits for the analysis of the current version, core/stats/document.ts, the
 * whole document in slices) and by one that can, as VS Code (answered from the newest analysis; then the time from
 * the undo to the server's `workspace/codeLens/refresh` too). `npx tsx bench/lsp-codelens.ts [edits]`; see README.
 */
import { join } from 'node:path';
import { fmtMs, metricLines, startLanguageServer, stats } from './lsp-common.ts';

const EDITS = Number(process.argv[2] ?? 40);
const SERVER = join(import.meta.dirname, '..', 'dist', 'server.js');

async function measure(lines: string[], refresh: boolean): Promise<string> {
  const { child, connection } = startLanguageServer(SERVER, []);
  let refreshed: () => void = () => {};
  connection.onRequest('workspace/codeLens/refresh', () => {
    refreshed();
    return null;
  });
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      workspace: { configuration: true, ...(refresh ? { codeLens: { refreshSupport: true } } : {}) },
      textDocument: { diagnostic: {} },
    },
  });
  connection.sendNotification('initialized', {});
  const uri = 'file:///bench/codelens.dtmetrics';
  const text = lines.join('\n');
  connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'dtmetrics', version: 1, text },
  });
  const timed = async (what: () => Promise<unknown>) => {
    const start = performance.now();
    await what();
    return performance.now() - start;
  };
  const lens = () => connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
  const pull = () => connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  const edit = (version: number, line: number, end: number, text: string) =>
    connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: end } }, text }],
    });
  const first = await timed(lens);
  const lensMs: number[] = [];
  const lintMs: number[] = [];
  const refreshMs: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const line = (i * 97) % lines.length;
    await edit(2 * i + 2, line, 0, 'x');
    lintMs.push(await timed(pull));
    const undone = performance.now();
    const refreshedNow = new Promise<void>((resolve) => (refreshed = resolve));
    await edit(2 * i + 3, line, 1, '');
    lensMs.push(await timed(lens));
    if (refresh) {
      await refreshedNow;
      refreshMs.push(performance.now() - undone);
    }
  }
  await connection.sendRequest('shutdown');
  // The connection closes before the server's pipe does: no answer to a late request of its meets a closed pipe.
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await connection.sendNotification('exit');
  connection.dispose();
  await exited;
  const l = stats(lensMs);
  const d = stats(lintMs);
  const r = stats(refreshMs.length > 0 ? refreshMs : [0]);
  return (
    `${refresh ? 'refreshing client' : 'waiting client'}: first lens after open ${fmtMs(first)} ms; ` +
    `codeLens after an edit p50 ${fmtMs(l.p50)} ms, p95 ${fmtMs(l.p95)} ms; ` +
    (refresh ? `edit → refresh p50 ${fmtMs(r.p50)} ms, p95 ${fmtMs(r.p95)} ms; ` : '') +
    `pull diagnostics p50 ${fmtMs(d.p50)} ms, p95 ${fmtMs(d.p95)} ms (${EDITS} edits)`
  );
}

async function main(): Promise<void> {
  const { lines } = metricLines(1_000_000, Date.now() + 5 * 60_000);
  console.log(`${(lines.join('\n').length / 1e6).toFixed(2)} MB, ${lines.length} lines`);
  console.log(await measure(lines, false));
  console.log(await measure(lines, true));
}

void main();
