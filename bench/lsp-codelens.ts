/**
 * The cost and cardinality CodeLens on a 1 MB document (issue 15, part 5): the time of a `textDocument/codeLens` request
 * after an edit (its analysis of the new version, in slices), against the time of the pull diagnostics of the same
 * edit in the same run (the lint, the 20 ms p95 edit budget's measure). `npx tsx bench/lsp-codelens.ts [edits]`.
 */
import { join } from 'node:path';
import { fmtMs, metricLines, startLanguageServer, stats } from './lsp-common.ts';

const EDITS = Number(process.argv[2] ?? 40);
const SERVER = join(import.meta.dirname, '..', 'dist', 'server.js');

async function main(): Promise<void> {
  const { lines } = metricLines(1_000_000, Date.now() + 5 * 60_000);
  const { child, connection } = startLanguageServer(SERVER, []);
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { workspace: { configuration: true }, textDocument: { diagnostic: {} } },
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
  const first = await timed(lens);
  const lensMs: number[] = [];
  const lintMs: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const line = (i * 97) % lines.length;
    const edit = (version: number) =>
      connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: 'x' }],
      });
    edit(2 * i + 2);
    lintMs.push(await timed(pull));
    connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 * i + 3 },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 1 } }, text: '' }],
    });
    lensMs.push(await timed(lens));
  }
  const l = stats(lensMs);
  const d = stats(lintMs);
  console.log(`${(text.length / 1e6).toFixed(2)} MB, ${lines.length} lines; first lens after open ${fmtMs(first)} ms`);
  console.log(`codeLens after an edit: median ${fmtMs(l.p50)} ms, p95 ${fmtMs(l.p95)} ms (${EDITS} edits)`);
  console.log(`pull diagnostics after an edit: median ${fmtMs(d.p50)} ms, p95 ${fmtMs(d.p95)} ms`);
  await connection.sendRequest('shutdown');
  connection.sendNotification('exit');
  child.kill();
}

void main();
